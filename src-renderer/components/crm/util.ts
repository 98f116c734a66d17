import { ApiCallError } from '../../api';

/** First error code per field from a bad_input answer (zod's flattened errors). */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiCallError) || err.body.code !== 'bad_input') return {};
  const details = err.body.details as { fieldErrors?: Record<string, string[]> } | undefined;
  return Object.fromEntries(Object.entries(details?.fieldErrors ?? {}).map(([k, v]) => [k, v[0] ?? '']));
}

/** An instant ↔ its Israeli wall-clock time as `YYYY-MM-DDTHH:mm` (for day arithmetic). */
export function toLocalInput(ms: number | null | undefined): string {
  if (ms == null) return '';
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Jerusalem',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** Parses a wall-clock time in Israel ('YYYY-MM-DDTHH:mm') to epoch ms. */
export function fromLocalInput(value: string): number | null {
  if (!value) return null;
  const [d, t] = value.split('T');
  const [y, mo, da] = (d ?? '').split('-').map(Number);
  const [h, mi] = (t ?? '00:00').split(':').map(Number);
  const wall = Date.UTC(y!, mo! - 1, da!, h!, mi!);
  // Israel is UTC+2 or +3: pick the offset that maps back to the same wall time.
  for (const off of [2, 3]) {
    const guess = wall - off * 3_600_000;
    if (toLocalInput(guess) === value) return guess;
  }
  return wall - 2 * 3_600_000;
}

/** Start of the Israeli day containing `ms`. */
export function dayStart(ms: number): number {
  return fromLocalInput(`${toLocalInput(ms).slice(0, 10)}T00:00`)!;
}

export const DAY_MS = 86_400_000;

export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
