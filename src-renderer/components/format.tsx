/**
 * One rule for putting numbers, amounts, phones and e-mail addresses inside Hebrew text: each is an
 * isolate (<bdi>) — left-to-right for digits, phones and addresses, right-to-left for ₪ amounts —
 * so its digits, signs, ₪ and punctuation never mix with the words around it, and it is
 * formatted by lib/format.
 */
import { Fragment, type ReactNode } from 'react';
import { formatMoney, formatMoneyExact, formatNumber, formatPhone } from '../lib/format';
import { pluralForm, type Plural } from '../lib/plural';

/**
 * An amount in ₪. Lists and cards drop ".00" on whole amounts; `exact` (tax documents) always
 * shows the agorot. Isolated right-to-left, not left-to-right: Intl's bidi marks then keep the ₪
 * after the number as Hebrew reads it ("1,250 ₪"); forced LTR they glue it to the number's
 * other side ("1,250₪" on the right) and move the minus sign.
 */
export function Money({ agorot, exact, testId }: { agorot: number; exact?: boolean; testId?: string }) {
  return (
    <bdi dir="rtl" className="money" data-testid={testId}>
      {exact ? formatMoneyExact(agorot) : formatMoney(agorot)}
    </bdi>
  );
}

/** A number (document number, count) isolated the same way, with thousands separators for counts. */
export function Num({ value, plain, testId }: { value: number | string; plain?: boolean; testId?: string }) {
  const text = typeof value === 'number' && !plain ? formatNumber(value) : String(value);
  return (
    <bdi dir="ltr" className="num" data-testid={testId}>
      {text}
    </bdi>
  );
}

/** A stored phone number as an Israeli reads it (050-123-4567, 1-800-123-456, *2700, +44 …). */
export function PhoneNumber({ value, testId }: { value: string | null | undefined; testId?: string }) {
  if (!value) return null;
  return (
    <bdi dir="ltr" className="num" data-testid={testId}>
      {formatPhone(value) || value}
    </bdi>
  );
}

/**
 * An e-mail address. It stays on one line when it fits; a long one breaks before the "@" or a
 * "." first (never mid-word while a better place exists), and only as a last resort anywhere.
 */
export function EmailAddress({ value, testId }: { value: string | null | undefined; testId?: string }) {
  if (!value) return null;
  const parts: ReactNode[] = [];
  value.split(/(?=[@.])/).forEach((part, i) => {
    if (i > 0) parts.push(<wbr key={`w${i}`} />);
    parts.push(part);
  });
  return (
    <bdi dir="ltr" className="email" data-testid={testId} style={{ overflowWrap: 'anywhere' }}>
      {parts}
    </bdi>
  );
}

/**
 * A count next to its noun in the right Hebrew form ("לקוח אחד", "2 לקוחות", "יומיים"), the count
 * isolated and with thousands separators like <Num>.
 */
export function Counted({ n, forms, testId }: { n: number; forms: Plural; testId?: string }) {
  const parts = pluralForm(n, forms).split('{n}');
  return (
    <span data-testid={testId}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <Num value={n} />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
