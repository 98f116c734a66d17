/**
 * Phone numbers as an Israeli owner types and reads them. One parser for the API, the renderer's
 * forms, the CSV import, search and dialling:
 *
 * - Israeli mobiles (05X), landlines (02/03/04/08/09), 07X (VoIP/non-geographic), special numbers
 *   (1-800/1-80X toll-free, 1-700 shared cost, 1-599 business numbers) and foreign numbers (+44 …)
 *   are parsed with libphonenumber-js (default country IL) and stored as E.164.
 * - Star codes (*2700, *6000: short dialling codes businesses advertise) have no E.164 form; they
 *   are stored as typed, "*2700", and can only be dialled from an Israeli line.
 *
 * Validity is libphonenumber's length-and-prefix check (its "min" metadata). Its allocation-level
 * ("max") metadata is not used on purpose: it refuses real numbers such as 050-1234567 whose block
 * it does not list. The Israeli kind comes from the national numbering plan prefix.
 */
import { parsePhoneNumberFromString, validatePhoneNumberLength, type PhoneNumber } from 'libphonenumber-js';

export type PhoneKind =
  'mobile' | 'landline' | 'voip' | 'toll_free' | 'shared_cost' | 'business' | 'special' | 'star' | 'foreign';

/** Why a typed number was refused; each has a Hebrew message in he.crm.form.phoneProblems. */
export const PHONE_PROBLEMS = [
  'phone_chars',
  'phone_star',
  'phone_mobile_length',
  'phone_landline_length',
  'phone_special_length',
  'phone_country',
  'phone_invalid',
] as const;
export type PhoneProblem = (typeof PHONE_PROBLEMS)[number];

export type ParsedPhone =
  | {
      ok: true;
      /** What is stored: E.164, or the star code ("*2700"). */
      stored: string;
      /** Null for star codes. */
      e164: string | null;
      kind: PhoneKind;
      /** As the owner reads it: 050-123-4567, 02-623-4567, 1-800-123-456, *2700, +44 20 7946 0958. */
      display: string;
    }
  | { ok: false; problem: PhoneProblem };

const MAX_INPUT = 40;
const STAR_STORED = /^\*\d{4}$/;
/** Direction marks and isolates that come along when a number is copied from Hebrew text. */
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const ALLOWED = /^[\d\s\-.()/+*]+$/;

function clean(input: string): string {
  return input
    .replace(BIDI, '')
    .trim()
    .replace(/^(?:whatsapp|client|tel):/i, '')
    .trim();
}

/** Israeli kind by the national number (without the trunk 0). */
function israeliKind(national: string): PhoneKind {
  if (/^5/.test(national)) return 'mobile';
  if (/^7/.test(national)) return 'voip';
  if (/^[23489]/.test(national)) return 'landline';
  if (/^80/.test(national) || /^180/.test(national)) return 'toll_free';
  if (/^170/.test(national)) return 'shared_cost';
  if (/^1599/.test(national)) return 'business';
  return 'special';
}

function displayOf(p: PhoneNumber): string {
  if (p.countryCallingCode !== '972') return p.formatInternational();
  const n = p.nationalNumber;
  if (n.startsWith('1')) {
    // Special numbers have no trunk 0: 1-800-123-456, 1-700-500-500, 1-599-500-500.
    return n.length === 10 ? `${n.slice(0, 1)}-${n.slice(1, 4)}-${n.slice(4, 7)}-${n.slice(7)}` : n;
  }
  const national = `0${n}`;
  // The Israeli way: 050-123-4567 (mobiles and 07X), 03-123-4567 (landlines); the last seven
  // digits as three and four.
  const prefix = national.length === 10 ? 3 : 2;
  const rest = national.slice(prefix);
  return rest.length === 7
    ? `${national.slice(0, prefix)}-${rest.slice(0, 3)}-${rest.slice(3)}`
    : `${national.slice(0, prefix)}-${rest}`;
}

/** The refusal reason for a number libphonenumber could not accept. */
function problemOf(text: string, digits: string): PhoneProblem {
  const length = validatePhoneNumberLength(text, 'IL');
  if (length === 'INVALID_COUNTRY') return 'phone_country';
  const international = text.startsWith('+') || /^00/.test(digits);
  if (!international) {
    const national = digits.replace(/^0/, '');
    if (/^[57]/.test(national)) return 'phone_mobile_length';
    if (/^[23489]/.test(national)) return 'phone_landline_length';
    if (/^1/.test(national)) return 'phone_special_length';
  }
  return 'phone_invalid';
}

/** Parses a number typed or received in any common form; Israel by default. */
export function parsePhone(input: string | null | undefined): ParsedPhone {
  const text = clean(input ?? '');
  if (!text || text.length > MAX_INPUT || !ALLOWED.test(text)) return { ok: false, problem: 'phone_chars' };
  const compact = text.replace(/[\s\-.()/]/g, '');
  if (compact.includes('*')) {
    // "*2700", or "2700*" as it reads in a right-to-left ad.
    const m = /^\*(\d+)$/.exec(compact) ?? /^(\d+)\*$/.exec(compact);
    if (!m || m[1]!.length !== 4) return { ok: false, problem: 'phone_star' };
    const stored = `*${m[1]}`;
    return { ok: true, stored, e164: null, kind: 'star', display: stored };
  }
  const digits = compact.replace(/\D/g, '');
  if (!digits) return { ok: false, problem: 'phone_chars' };
  if (compact.indexOf('+') > 0 || (compact.match(/\+/g)?.length ?? 0) > 1)
    return { ok: false, problem: 'phone_chars' };
  // 972501234567 without the plus is an international number (no Israeli number starts with 972).
  const withPlus = !compact.startsWith('+') && /^972\d{8,10}$/.test(digits) ? `+${digits}` : text;
  const parsed = parsePhoneNumberFromString(withPlus, 'IL');
  if (!parsed || !parsed.isPossible() || !parsed.isValid())
    return { ok: false, problem: problemOf(withPlus, digits) };
  const kind = parsed.countryCallingCode === '972' ? israeliKind(parsed.nationalNumber) : 'foreign';
  // 1-80X, 1-700 and 1-599 numbers are ten digits; other Israeli 1-numbers seven or ten
  // (libphonenumber's length check also takes 7–12 digits, so 14155552671 would pass as Israeli).
  const special = kind === 'toll_free' || kind === 'shared_cost' || kind === 'business';
  const length = parsed.nationalNumber.length;
  if ((special && length !== 10) || (kind === 'special' && length !== 7 && length !== 10))
    return { ok: false, problem: 'phone_special_length' };
  return { ok: true, stored: parsed.number, e164: parsed.number, kind, display: displayOf(parsed) };
}

/** The stored form of a typed number (E.164 or a star code), or null when it is not a number. */
export function normalizePhone(input: string | null | undefined): string | null {
  const p = parsePhone(input);
  return p.ok ? p.stored : null;
}

/** The refusal reason of a typed number, or null when it is fine. */
export function phoneProblem(input: string): PhoneProblem | null {
  const p = parsePhone(input);
  return p.ok ? null : p.problem;
}

/**
 * E.164 of a number in any common form ("050-1234567", "+972 50 123 4567", "972501234567",
 * "whatsapp:+972…"), Israel by default. Null when it is not a valid number, and for star codes
 * (which have no E.164 form and cannot be dialled from abroad).
 */
export function toE164(input: string | null | undefined): string | null {
  const p = parsePhone(input);
  return p.ok ? p.e164 : null;
}

/** True for a stored star code ("*2700"). */
export function isStarCode(stored: string | null | undefined): boolean {
  return !!stored && STAR_STORED.test(stored);
}

/** The kind of a stored number, or null when it is not one. */
export function phoneKind(stored: string | null | undefined): PhoneKind | null {
  const p = parsePhone(stored);
  return p.ok ? p.kind : null;
}

/**
 * How an Israeli owner reads a stored number: 050-123-4567, 02-623-4567, 1-800-123-456, *2700 for
 * Israeli numbers, the international form (+44 20 7946 0958) otherwise. Anything else (a value
 * saved before validation existed) is shown as it is.
 */
export function formatPhone(stored: string | null | undefined): string {
  if (!stored) return '';
  if (isStarCode(stored)) return stored;
  const parsed = parsePhoneNumberFromString(stored);
  if (!parsed) return stored;
  return displayOf(parsed);
}
