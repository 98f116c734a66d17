/**
 * What the tray shows, as data (tested without Electron): the line's state in words, open,
 * start with the computer, quit. `tray.ts` turns it into a native menu.
 */
import type { SetupStatus } from '../api/contract/setup';
import { he } from '../../src-renderer/i18n/he';

export type LineState = 'answering' | 'not_connected' | 'recovery' | 'starting';

export type TrayAction = 'open' | 'toggle_open_at_login' | 'quit';
export type TrayItem =
  | { type: 'separator' }
  | { type: 'status'; label: string }
  | { type: 'action'; label: string; action: TrayAction }
  | { type: 'checkbox'; label: string; checked: boolean; action: TrayAction };

export interface TrayModel {
  tooltip: string;
  items: TrayItem[];
}

/** The line answers when the keys work, the address is reachable and the number points here. */
export function lineStateOf(status: SetupStatus | null): LineState {
  if (!status) return 'starting';
  const done = (id: string) => status.steps.some((s) => s.id === id && s.done);
  return done('keys') && done('address') && done('number') ? 'answering' : 'not_connected';
}

export function trayModel(line: LineState, openAtLogin: boolean): TrayModel {
  const t = he.desktop.tray;
  const state = t.line[line];
  return {
    tooltip: `AgentLocator — ${state}`,
    items: [
      { type: 'status', label: state },
      { type: 'separator' },
      { type: 'action', label: t.open, action: 'open' },
      { type: 'checkbox', label: t.openAtLogin, checked: openAtLogin, action: 'toggle_open_at_login' },
      { type: 'separator' },
      { type: 'action', label: line === 'answering' ? t.quitAnswering : t.quit, action: 'quit' },
    ],
  };
}
