import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Normalizes a phone number typed or received in any common form ("050-1234567",
 * "+972 50 123 4567", "972501234567", "whatsapp:+972…") to E.164, Israel by default.
 * Returns null when it is not a valid number.
 */
export function toE164(input: string | null | undefined): string | null {
  if (!input) return null;
  const cleaned = input
    .trim()
    .replace(/^whatsapp:/i, '')
    .replace(/^client:/i, '');
  if (!cleaned || cleaned.length > 40) return null;
  const withPlus =
    /^972\d{8,9}$/.test(cleaned.replace(/\D/g, '')) && !cleaned.startsWith('0')
      ? `+${cleaned.replace(/\D/g, '')}`
      : cleaned;
  const parsed = parsePhoneNumberFromString(withPlus, 'IL');
  return parsed?.isValid() ? parsed.number : null;
}

/** How an Israeli owner reads a number: 050-1234567 for Israeli numbers, international form otherwise. */
export function formatPhone(e164: string | null | undefined): string {
  if (!e164) return '';
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  if (parsed.countryCallingCode === '972') {
    const national = `0${parsed.nationalNumber}`;
    return national.length === 10
      ? `${national.slice(0, 3)}-${national.slice(3)}`
      : `${national.slice(0, 2)}-${national.slice(2)}`;
  }
  return parsed.formatInternational();
}
