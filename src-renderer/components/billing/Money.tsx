import { formatMoney } from '../../lib/format';

/**
 * An amount in ₪ inside Hebrew text: one format everywhere (lib/format), isolated left-to-right
 * so its digits, sign and ₪ never mix with the words around it.
 */
export function Money({ agorot, testId }: { agorot: number; testId?: string }) {
  return (
    <bdi className="num" data-testid={testId}>
      {formatMoney(agorot)}
    </bdi>
  );
}

/** A number (document number, count) isolated the same way, with thousands separators for counts. */
export function Num({ value, plain, testId }: { value: number | string; plain?: boolean; testId?: string }) {
  const text = typeof value === 'number' && !plain ? value.toLocaleString('he-IL') : String(value);
  return (
    <bdi className="num" data-testid={testId}>
      {text}
    </bdi>
  );
}

/** Shekels as the owner types them ("1,250.5", "₪ 99.90") → integer agorot, or null when not a number. */
export function parseShekels(text: string): number | null {
  const clean = text.replace(/[,₪\s]/g, '');
  if (!/^-?\d+(\.\d{0,2})?$/.test(clean)) return null;
  return Math.round(Number(clean) * 100);
}

/** Integer agorot → the text a form field shows ("1250.5" → "1,250.50"; whole shekels without ".00"). */
export function shekelsText(agorot: number): string {
  const whole = agorot % 100 === 0;
  return (agorot / 100).toLocaleString('en-US', {
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
    useGrouping: false,
  });
}
