/** Shekel amounts as the owner types them in billing forms (display: components/format.tsx). */

/** Shekels as the owner types them ("1,250.5", "₪ 99.90") → integer agorot, or null when not a number. */
export function parseShekels(text: string): number | null {
  const clean = text.replace(/[,₪\s]/g, '');
  if (!/^-?\d+(\.\d{0,2})?$/.test(clean)) return null;
  return Math.round(Number(clean) * 100);
}

/** Integer agorot → the text a form field shows ("1250.5" → "1250.50"; whole shekels without ".00"). */
export function shekelsText(agorot: number): string {
  const whole = agorot % 100 === 0;
  // A form field's value, not display text: plain digits and a dot, whatever the locale.
  return (agorot / 100).toFixed(whole ? 0 : 2);
}
