import { describe, expect, it } from 'vitest';
import { formatPhone, toE164 } from '../../src-main/platform/phone';

describe('phone numbers', () => {
  it.each([
    ['050-1234567', '+972501234567'],
    ['0501234567', '+972501234567'],
    ['+972501234567', '+972501234567'],
    ['+972 50 123 4567', '+972501234567'],
    ['972501234567', '+972501234567'],
    ['whatsapp:+972501234567', '+972501234567'],
    ['04-8123456', '+97248123456'],
    ['+1 415 555 2671', '+14155552671'],
  ])('%s → %s', (input, expected) => {
    expect(toE164(input)).toBe(expected);
  });

  it.each(['', 'abc', '123', "1' OR 1=1 --", 'x'.repeat(100)])('rejects %s', (input) => {
    expect(toE164(input)).toBeNull();
  });

  it('formats Israeli numbers the local way', () => {
    expect(formatPhone('+972501234567')).toBe('050-1234567');
    expect(formatPhone('+97248123456')).toBe('04-8123456');
    expect(formatPhone('+14155552671')).toBe('+1 415 555 2671');
  });
});
