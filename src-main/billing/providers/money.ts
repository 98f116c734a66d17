/** Agorot ⇄ the decimal strings providers speak ("123.45"), with no floating point. */

/** 12345 → "123.45". */
export function agorotToDecimal(agorot: number): string {
  if (!Number.isSafeInteger(agorot) || agorot < 0)
    throw new RangeError('agorot must be a non-negative integer');
  return `${Math.floor(agorot / 100)}.${String(agorot % 100).padStart(2, '0')}`;
}

/** "123.45" / "123.4" / "123" → 12345 / 12340 / 12300; anything else → null. */
export function decimalToAgorot(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const s = String(value).trim();
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const n = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(n) ? n : null;
}
