import { afterEach, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('audit log through the API', () => {
  it('a key change is an audit event by name only; verify says what broke', async () => {
    t = await startTestCore({});
    const value = 'sk-live-0123456789-never-in-the-log';
    expect((await t.api('secrets.set', { name: 'openai_api_key', value })).status).toBe(200);
    expect((await t.api('secrets.set', { name: 'openai_api_key', value: null })).status).toBe(200);
    const history = await t.api('audit.history', { entityType: 'secret', entityId: 0 });
    expect(history.status).toBe(200);
    expect(history.body.data.map((e: { event: string; data: unknown }) => [e.event, e.data])).toEqual([
      ['secret.changed', { name: 'openai_api_key' }],
      ['secret.cleared', { name: 'openai_api_key' }],
    ]);
    const rows = JSON.stringify(t.core.db.$client.prepare('select * from audit_events').all());
    expect(rows).not.toContain(value);
    expect((await t.api('audit.verify', {})).body.data).toEqual({ ok: true, events: 2, problems: [] });

    t.core.db.$client
      .prepare('update audit_events set data = \'{"name":"twilio_auth_token"}\' where id = 1')
      .run();
    expect((await t.api('audit.verify', {})).body.data).toMatchObject({
      ok: false,
      problems: [{ kind: 'edited', eventId: 1 }],
    });
    expect((await t.api('audit.history', { entityType: 'nope', entityId: 0 })).status).toBe(400);
  });
});
