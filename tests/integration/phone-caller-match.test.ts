/**
 * Incoming-call matching (caller id → customer) for every kind of number a customer can be saved
 * with: the owner types it the way it is advertised, Twilio sends the caller id as E.164, and the
 * call lands on that customer (no new lead). A star code never arrives as a caller id; a hidden
 * number matches nobody. And at the API boundary an impossible number is refused with a per-field
 * issue the form shows on the phone field, changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelephonyRig, type TelephonyRig } from '../helpers/telephony';
import { callParams, postTwilio } from '../helpers/twilio';

let rig: TelephonyRig;
beforeAll(async () => {
  rig = await startTelephonyRig();
});
afterAll(async () => {
  await rig?.stop();
});

const ok = (method: string, input?: unknown) => rig.t.ok(method, input);
const callCustomer = (sid: string) =>
  (
    rig.t.core.db.$client.prepare('select customer_id as id from calls where call_sid = ?').get(sid) as
      { id: number | null } | undefined
  )?.id;

// typed by the owner → what Twilio sends as the caller id.
const CALLERS: Array<[kind: string, typed: string, callerId: string]> = [
  ['mobile', '050-765-4321', '+972507654321'],
  ['mobile typed without dashes', '0527654321', '+972527654321'],
  ['landline', '03-123-4567', '+97231234567'],
  ['landline (02)', '02-623-4567', '+97226234567'],
  ['07X', '072-234-5678', '+972722345678'],
  ['1-800', '1-800-123-456', '+9721800123456'],
  ['1-700', '1-700-500-500', '+9721700500500'],
  ['1-599', '1-599-505-050', '+9721599505050'],
  ['foreign (UK)', '+44 20 7946 0958', '+442079460958'],
  ['foreign (US)', '+1 415 555 2671', '+14155552671'],
];

describe('caller id → customer, for every kind of number', () => {
  it.each(CALLERS)('%s: saved as %s, a call from %s is theirs', async (kind, typed, callerId) => {
    const c = await ok('crm.customers.create', { name: `מתקשר ${kind}`, phone: typed });
    expect(c.phone).toBe(callerId);
    const before = rig.counts().customers;
    const n = 1000 + CALLERS.findIndex((k) => k[0] === kind);
    const params = callParams(n, { From: callerId });
    expect((await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', params)).status).toBe(200);
    expect(callCustomer(params.CallSid!)).toBe(c.id);
    expect(rig.counts().customers).toBe(before);
  });

  it('a hidden caller id matches nobody and creates no lead', async () => {
    const before = rig.counts().customers;
    const params = callParams(1999, { From: 'Anonymous' });
    expect((await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', params)).status).toBe(200);
    expect(callCustomer(params.CallSid!)).toBeNull();
    expect(rig.counts().customers).toBe(before);
  });
});

describe('an impossible number at the API boundary', () => {
  it('is refused with a per-field issue on the phone (and every other bad field at once), changing nothing', async () => {
    const before = rig.counts().customers;
    const r = await rig.t.api('crm.customers.create', { name: '', phone: '050-12', email: 'noa@' });
    expect(r.status).toBe(400);
    expect(r.body.details.issues).toEqual(
      expect.arrayContaining([
        { path: ['name'], kind: 'required' },
        { path: ['phone'], kind: 'rule', reason: 'phone_mobile_length' },
        { path: ['email'], kind: 'email' },
      ]),
    );
    // Nothing of what was typed is echoed back.
    expect(JSON.stringify(r.body)).not.toContain('noa@');
    expect(rig.counts().customers).toBe(before);

    const existing = (await ok('crm.customers.list', { q: '03-123-4567' })).items[0];
    const u = await rig.t.api('crm.customers.update', { id: existing.id, phone: '*27' });
    expect(u.status).toBe(400);
    expect(u.body.details.issues).toEqual([{ path: ['phone'], kind: 'rule', reason: 'phone_star' }]);
    expect((await ok('crm.customers.get', { id: existing.id })).phone).toBe('+97231234567');
  });
});
