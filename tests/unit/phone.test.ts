import { describe, expect, it } from 'vitest';
import {
  formatPhone,
  isStarCode,
  normalizePhone,
  parsePhone,
  phoneKind,
  PHONE_PROBLEMS,
  toE164,
  type PhoneKind,
} from '../../src-main/platform/phone';
import { he } from '../../src-renderer/i18n/he';

describe('phone numbers', () => {
  it.each([
    ['050-1234567', '+972501234567'],
    ['0501234567', '+972501234567'],
    ['+972501234567', '+972501234567'],
    ['+972 50 123 4567', '+972501234567'],
    ['972501234567', '+972501234567'],
    ['00972501234567', '+972501234567'],
    ['whatsapp:+972501234567', '+972501234567'],
    ['\u200e+972-50-123-4567\u200f', '+972501234567'],
    ['04-8123456', '+97248123456'],
    ['+1 415 555 2671', '+14155552671'],
    ['1-800-123-456', '+9721800123456'],
    ['*2700', null],
  ])('toE164 %s → %s', (input, expected) => {
    expect(toE164(input)).toBe(expected);
  });

  it.each(['', 'abc', '123', "1' OR 1=1 --", 'x'.repeat(100)])('rejects %s', (input) => {
    expect(toE164(input)).toBeNull();
    expect(normalizePhone(input)).toBeNull();
  });

  // Every kind: what the owner types → stored form, kind, what the app shows.
  // "fails before the fix" marks the rows the old toE164/formatPhone got wrong.
  it.each<[string, string, PhoneKind, string]>([
    // mobiles 050–058
    ['050-1234567', '+972501234567', 'mobile', '050-123-4567'],
    ['0521234567', '+972521234567', 'mobile', '052-123-4567'],
    ['054 999 9999', '+972549999999', 'mobile', '054-999-9999'],
    ['+972 58 123 4567', '+972581234567', 'mobile', '058-123-4567'],
    // landlines 02/03/04/08/09
    ['02-6234567', '+97226234567', 'landline', '02-623-4567'],
    ['03-1234567', '+97231234567', 'landline', '03-123-4567'],
    ['04-8123456', '+97248123456', 'landline', '04-812-3456'],
    ['08-6234567', '+97286234567', 'landline', '08-623-4567'],
    ['(09) 765-4321', '+97297654321', 'landline', '09-765-4321'],
    // 07X VoIP / non-geographic
    ['072-2345678', '+972722345678', 'voip', '072-234-5678'],
    ['077-1234567', '+972771234567', 'voip', '077-123-4567'],
    ['079-5234567', '+972795234567', 'voip', '079-523-4567'],
    // special numbers (fails before the fix: shown as 01-800123456)
    ['1-800-123-456', '+9721800123456', 'toll_free', '1-800-123-456'],
    ['1800123456', '+9721800123456', 'toll_free', '1-800-123-456'],
    ['1-801-123-456', '+9721801123456', 'toll_free', '1-801-123-456'],
    ['+972 1 800 123 456', '+9721800123456', 'toll_free', '1-800-123-456'],
    ['1-700-500-500', '+9721700500500', 'shared_cost', '1-700-500-500'],
    ['1-599-500-500', '+9721599500500', 'business', '1-599-500-500'],
    // star codes (fails before the fix: refused as not a number)
    ['*2700', '*2700', 'star', '*2700'],
    ['*6000', '*6000', 'star', '*6000'],
    ['2700*', '*2700', 'star', '*2700'],
    [' *27-00 ', '*2700', 'star', '*2700'],
    // foreign
    ['+1 415 555 2671', '+14155552671', 'foreign', '+1 415 555 2671'],
    ['001 415 555 2671', '+14155552671', 'foreign', '+1 415 555 2671'],
    ['+44 20 7946 0958', '+442079460958', 'foreign', '+44 20 7946 0958'],
    ['+44 7911 123456', '+447911123456', 'foreign', '+44 7911 123456'],
    ['+33 1 42 68 53 00', '+33142685300', 'foreign', '+33 1 42 68 53 00'],
  ])('%s → stored %s (%s), shown %s', (typed, stored, kind, display) => {
    const p = parsePhone(typed);
    expect(p).toEqual({ ok: true, stored, e164: kind === 'star' ? null : stored, kind, display });
    expect(normalizePhone(typed)).toBe(stored);
    expect(formatPhone(stored)).toBe(display);
    expect(phoneKind(stored)).toBe(kind);
    // The stored form parses back to itself, and so does what the app shows.
    expect(normalizePhone(stored)).toBe(stored);
    expect(normalizePhone(display)).toBe(stored);
    expect(isStarCode(stored)).toBe(kind === 'star');
  });

  // Impossible numbers: refused, with the reason the owner is told.
  it.each([
    ['050-123456', 'phone_mobile_length'],
    ['050-12345678', 'phone_mobile_length'],
    ['077-12345', 'phone_mobile_length'],
    ['02-123456', 'phone_landline_length'],
    ['03-12345678', 'phone_landline_length'],
    ['1-800-123', 'phone_special_length'],
    ['1-80-123-456', 'phone_special_length'],
    ['14155552671', 'phone_special_length'], // a US number without its +
    ['*27', 'phone_star'],
    ['*27000', 'phone_star'],
    ['*27*00', 'phone_star'],
    ['06-1234567', 'phone_invalid'],
    ['0000000', 'phone_invalid'],
    ['+999 123 456 789', 'phone_country'],
    ['+44 20 79', 'phone_invalid'],
    ['050-123-4567 ext 9', 'phone_chars'],
    ['05O-1234567', 'phone_chars'],
    ['+972+501234567', 'phone_chars'],
  ])('refuses %s (%s)', (typed, problem) => {
    expect(parsePhone(typed)).toEqual({ ok: false, problem });
    expect(normalizePhone(typed)).toBeNull();
    expect(toE164(typed)).toBeNull();
  });

  it('every refusal reason has a Hebrew message', () => {
    for (const p of PHONE_PROBLEMS) expect(he.crm.form.phoneProblems[p]).toMatch(/[\u0590-\u05ff]/);
  });

  it('formats Israeli numbers the local way, foreign ones internationally, anything else as stored', () => {
    expect(formatPhone('+972501234567')).toBe('050-123-4567');
    expect(formatPhone('+97248123456')).toBe('04-812-3456');
    expect(formatPhone('+9721800123456')).toBe('1-800-123-456'); // fails before the fix: 01-800123456
    expect(formatPhone('+14155552671')).toBe('+1 415 555 2671');
    expect(formatPhone('*2700')).toBe('*2700');
    expect(formatPhone('legacy 123')).toBe('legacy 123');
    expect(formatPhone(null)).toBe('');
  });
});
