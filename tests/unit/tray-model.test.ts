import { describe, expect, it } from 'vitest';
import type { SetupStatus } from '../../src-main/api/contract/setup';
import { lineStateOf, trayModel } from '../../src-main/electron/tray-model';

const status = (done: string[]): SetupStatus => ({
  steps: (['profile', 'knowledge', 'keys', 'address', 'number', 'test_call'] as const).map((id) => ({
    id,
    done: done.includes(id),
    skipped: false,
  })),
  lineReady: false,
  wizardSeen: true,
});

describe('tray', () => {
  it('says the line answers only when keys, address and number all work', () => {
    expect(lineStateOf(null)).toBe('starting');
    expect(lineStateOf(status(['keys', 'address']))).toBe('not_connected');
    expect(lineStateOf(status(['keys', 'address', 'number']))).toBe('answering');
  });

  it('shows the state, open, start with the computer and quit, in Hebrew', () => {
    const on = trayModel('answering', true);
    expect(on.tooltip).toBe('AgentLocator — הקו פעיל — הסוכן עונה לשיחות');
    expect(on.items).toEqual([
      { type: 'status', label: 'הקו פעיל — הסוכן עונה לשיחות' },
      { type: 'separator' },
      { type: 'action', label: 'פתיחת AgentLocator', action: 'open' },
      { type: 'checkbox', label: 'פתיחה עם הפעלת המחשב', checked: true, action: 'toggle_open_at_login' },
      { type: 'separator' },
      { type: 'action', label: 'יציאה (השיחות לא ייענו)', action: 'quit' },
    ]);
    const off = trayModel('not_connected', false);
    expect(off.items[0]).toEqual({ type: 'status', label: 'הקו לא מחובר — השיחות לא נענות' });
    expect(off.items.at(-1)).toEqual({ type: 'action', label: 'יציאה', action: 'quit' });
    expect(trayModel('recovery', false).items[0]).toMatchObject({ label: expect.stringContaining('שחזור') });
  });
});
