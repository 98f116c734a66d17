/**
 * The agent's tools act through the CRM's ports: the customer they find or create is the CRM's
 * own (whatever form the number comes in), a call-back task is made once per call however often
 * the model asks, a second booking in the same call moves its appointment, and times come from
 * the injected clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentToolbox, type ToolContext } from '../../src-main/agent/tools';
import {
  SqlAppointmentCalendar,
  SqlCallbackTasks,
  SqlCustomerDirectory,
} from '../../src-main/crm/customer-directory';
import { ManualClock } from '../../src-main/platform/clock';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore;
let clock: ManualClock;
let toolbox: AgentToolbox;
let callId: number;

const ctx = (phone: string): ToolContext => ({
  channel: 'phone',
  callId,
  phone,
  customerId: null,
});
const ok = (method: string, input?: unknown) => t.ok(method, input);
const run = async (name: string, args: unknown, c: ToolContext) =>
  JSON.parse(
    (await toolbox.execute({ id: `call_${name}`, name, arguments: JSON.stringify(args) }, c)).result,
  );

beforeEach(async () => {
  // Tuesday 2026-01-06 10:00 Israel time.
  clock = new ManualClock(Date.UTC(2026, 0, 6, 8, 0, 0));
  t = await startTestCore({}, undefined, { clock });
  const { db, business } = t.core;
  toolbox = new AgentToolbox({
    clock,
    business,
    customers: new SqlCustomerDirectory(db, clock),
    callbacks: new SqlCallbackTasks(db, clock),
    calendar: new SqlAppointmentCalendar(db, clock),
  });
  callId = t.core.calls.upsertIncoming({
    callSid: 'CA' + '1'.repeat(32),
    direction: 'in',
    from: '+972501234567',
    to: '+97231234567',
    customerId: null,
    status: 'in-progress',
    mode: 'stream',
  }).call.id;
});

afterEach(() => t.stop());

describe('agent tools through the CRM ports', () => {
  it('finds the customer the CRM knows by phone, in any form, and fills only what is missing', async () => {
    const created = { body: await ok('crm.customers.create', { name: 'דנה כהן', phone: '050-1234567' }) };
    const c = ctx('050-1234567');
    const out = await run('update_customer', { name: 'דנה', reason: 'הצעת מחיר' }, c);
    expect(out.customer_id).toBe(created.body.id);
    expect(c.customerId).toBe(created.body.id);
    const list = { body: await ok('crm.customers.list', { q: '+972501234567' }) };
    expect(list.body.items.map((x: { id: number }) => x.id)).toEqual([created.body.id]);
    const got = { body: await ok('crm.customers.get', { id: created.body.id }) };
    expect(got.body.name).toBe('דנה כהן');
    expect(got.body.notes).toContain('הצעת מחיר');
  });

  it('makes one call-back task per call, due two hours after the clock’s now', async () => {
    const first = await run('create_callback_task', { reason: 'מחיר לשיפוץ' }, ctx('+972501234567'));
    clock.advance(60_000);
    const second = await run('create_callback_task', { reason: 'מחיר לשיפוץ, שוב' }, ctx('+972501234567'));
    expect(second.task_id).toBe(first.task_id);
    const tasks = { body: await ok('crm.tasks.list', { status: 'all' }) };
    const callbacks = tasks.body.items.filter((x: { kind: string }) => x.kind === 'callback');
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ callId, dueAt: Date.UTC(2026, 0, 6, 10, 0, 0) });
    // The caller became a lead through the CRM's directory: the same one its search finds.
    const list = { body: await ok('crm.customers.list', { q: '050-1234567' }) };
    expect(list.body.items.map((x: { id: number }) => x.id)).toEqual([callbacks[0].customerId]);
  });

  it('books one appointment per call: booking again moves it', async () => {
    const a = await run('book_appointment', { date: '2026-01-07', time: '10:00' }, ctx('+972501234567'));
    const b = await run('book_appointment', { date: '2026-01-08', time: '11:00' }, ctx('+972501234567'));
    expect(b.task_id).toBe(a.task_id);
    const tasks = { body: await ok('crm.tasks.list', { status: 'all' }) };
    const appts = tasks.body.items.filter((x: { kind: string }) => x.kind === 'appointment');
    expect(appts).toHaveLength(1);
    expect(appts[0].startsAt).toBe(Date.UTC(2026, 0, 8, 9, 0, 0));
  });
});
