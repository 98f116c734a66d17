/**
 * The call history API an owner searches: by the caller's name or number (in any typed form), by
 * a start-time range, with a one-line preview of the message or summary; a missing call is a 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src-main/platform/clock';
import { numberVariants } from '../../src-main/telephony/call-repository';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore;
const clock = new ManualClock(Date.UTC(2026, 10, 1, 8, 0, 0));
const DAY = 86_400_000;
const start = clock.now();
const MESSAGE = `שלום, זה דני כהן. ${'רציתי לקבוע תור לתספורת ביום שלישי אחר הצהריים. '.repeat(4)}תחזרו אליי.`;

beforeAll(async () => {
  t = await startTestCore({}, undefined, { clock });
  const dana = await t.api('crm.customers.create', { name: 'דנה לוי', phone: '050-1234567' });
  expect(dana.status).toBe(200);
  const calls = t.core.calls;
  // Day 0: Dana called and left a voice message.
  const a = calls.upsertIncoming({
    callSid: 'CA' + 'a'.repeat(32),
    direction: 'in',
    from: '+972501234567',
    to: '+97239555123',
    customerId: dana.body.data.id,
    status: 'completed',
    mode: 'record',
  });
  calls.update(a.call.callSid, { transcript: MESSAGE, summary: 'ביקשה תור' });
  // Day 3: an unknown caller talked to the agent.
  clock.advance(3 * DAY);
  const b = calls.upsertIncoming({
    callSid: 'CA' + 'b'.repeat(32),
    direction: 'in',
    from: '+972547778899',
    to: '+97239555123',
    customerId: null,
    status: 'completed',
    mode: 'stream',
  });
  calls.update(b.call.callSid, { transcript: 'נציג: שלום\nלקוח: היי', summary: 'שאל על מחירים' });
  // Day 5: the owner called Dana back (her number is the called one).
  clock.advance(2 * DAY);
  calls.upsertIncoming({
    callSid: 'CA' + 'c'.repeat(32),
    direction: 'out',
    from: '+97239555123',
    to: '+972501234567',
    customerId: dana.body.data.id,
    status: 'no-answer',
    mode: 'stream',
  });
});
afterAll(() => t?.stop());

const list = async (input: Record<string, unknown>) => {
  const r = await t.api('calls.list', input);
  expect(r.status).toBe(200);
  return r.body.data as { total: number; items: Array<{ callSid: string; preview: string | null }> };
};
const sids = async (input: Record<string, unknown>) =>
  (await list(input)).items.map((c) => c.callSid.slice(2, 3));

describe('calls.list search', () => {
  it('finds calls by part of the customer name', async () => {
    expect(await sids({ q: 'דנה' })).toEqual(['c', 'a']);
    expect(await sids({ q: 'לוי' })).toEqual(['c', 'a']);
    expect(await sids({ q: 'משה' })).toEqual([]);
  });

  it("finds calls by the other party's number in any typed form", async () => {
    expect(await sids({ q: '050-1234567' })).toEqual(['c', 'a']);
    expect(await sids({ q: '+972 50 123 4567' })).toEqual(['c', 'a']);
    expect(await sids({ q: '0547' })).toEqual(['b']);
    expect(await sids({ q: '8899' })).toEqual(['b']);
    // The business's own number is on every call: it is not "the caller".
    expect(await sids({ q: '03-9555123' })).toEqual([]);
  });

  it('filters by start time [from, to) and combines with the text', async () => {
    expect(await sids({ from: start + DAY, to: start + 4 * DAY })).toEqual(['b']);
    expect(await sids({ from: start + 3 * DAY })).toEqual(['c', 'b']);
    expect(await sids({ to: start + 3 * DAY })).toEqual(['a']);
    expect(await sids({ q: 'דנה', from: start + DAY })).toEqual(['c']);
    expect((await list({ q: 'דנה', from: start + DAY })).total).toBe(1);
  });

  it('refuses a bad range or text with a clear error and no results', async () => {
    for (const bad of [
      { from: start + DAY, to: start },
      { from: start, to: start },
      { from: -1 },
      { from: 'yesterday' },
      { q: 'x'.repeat(101) },
      { q: 5 },
    ]) {
      const r = await t.api('calls.list', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error ?? r.body.code).toBeTruthy();
    }
  });
});

describe('calls.list preview', () => {
  it("shows the start of a voice message, a conversation's summary, and nothing for a missed call", async () => {
    const items = (await list({})).items;
    const [missed, live, message] = items;
    expect(missed!.preview).toBeNull();
    expect(live!.preview).toBe('שאל על מחירים');
    expect(message!.preview!.startsWith('שלום, זה דני כהן. רציתי לקבוע תור')).toBe(true);
    expect(message!.preview!.endsWith('…')).toBe(true);
    expect([...message!.preview!].length).toBeLessThanOrEqual(121);
  });
});

describe('calls.get', () => {
  it('answers 404 not_found for a call that does not exist', async () => {
    const r = await t.api('calls.get', { id: 999_999 });
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).toContain('not_found');
  });
});

describe('numberVariants', () => {
  it('maps a typed number to the digit strings a stored number contains', () => {
    expect(numberVariants('050-1234567')).toEqual(['0501234567', '972501234567']);
    expect(numberVariants('0501')).toEqual(['0501', '972501']);
    expect(numberVariants('12')).toEqual([]);
    expect(numberVariants('דנה')).toEqual([]);
  });
});
