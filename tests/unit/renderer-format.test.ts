/**
 * The renderer's one set of Israeli formats (src-renderer/lib/format.ts) and the isolates that put
 * them into Hebrew text (src-renderer/components/format.tsx).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { shekelsText } from '../../src-renderer/components/billing/Money';
import { EmailAddress, Money, Num, PhoneNumber } from '../../src-renderer/components/format';
import {
  formatDate,
  formatDateTime,
  formatMoney,
  formatMoneyExact,
  formatNumber,
  formatPercent,
  formatSeconds,
} from '../../src-renderer/lib/format';

/** Without the bidi marks Intl puts around ₪ and the minus sign; its no-break space as a space. */
const plain = (s: string) => s.replace(/[\u200e\u200f]/g, '').replace(/\u00a0/g, ' ');

describe('money', () => {
  it('drops ".00" on whole amounts in lists, keeps agorot when there are some', () => {
    expect(plain(formatMoney(1_800_000_000))).toBe('18,000,000 ₪');
    expect(plain(formatMoney(125_050))).toBe('1,250.50 ₪');
    expect(plain(formatMoney(9_990))).toBe('99.90 ₪');
    expect(plain(formatMoney(0))).toBe('0 ₪');
    expect(plain(formatMoney(-30_000))).toBe('-300 ₪');
  });

  it('always shows agorot on tax documents', () => {
    expect(plain(formatMoneyExact(125_000))).toBe('1,250.00 ₪');
    expect(plain(formatMoneyExact(125_050))).toBe('1,250.50 ₪');
  });

  it('a form field gets plain digits, whole shekels without ".00"', () => {
    expect(shekelsText(125_000)).toBe('1250');
    expect(shekelsText(125_050)).toBe('1250.50');
    expect(shekelsText(329_220)).toBe('3292.20');
  });
});

describe('numbers, shares and times', () => {
  it('counts with thousands separators', () => {
    expect(formatNumber(200_000)).toBe('200,000');
    expect(formatNumber(1436)).toBe('1,436');
    expect(formatNumber(12.345, 1)).toBe('12.3');
    expect(formatNumber(12, 1)).toBe('12');
  });

  it('percent and seconds', () => {
    expect(plain(formatPercent(0.873))).toBe('87%');
    expect(formatSeconds(1234)).toBe('1.2');
    expect(formatSeconds(2000)).toBe('2.0');
  });

  it('dates are dd/MM/yyyy and 24-hour in Israel, whatever the machine zone', () => {
    // 22:30 UTC on 1 Dec is already 2 Dec, 00:30 in Jerusalem (UTC+2 in winter).
    const ms = Date.UTC(2026, 11, 1, 22, 30);
    expect(formatDate(ms)).toBe('02/12/2026');
    expect(formatDateTime(ms)).toBe('02/12/2026 00:30');
  });
});

describe('isolates in Hebrew text', () => {
  const html = (el: Parameters<typeof renderToStaticMarkup>[0]) => renderToStaticMarkup(el);

  it('amounts are RTL isolates (₪ stays after the number), counts LTR isolates', () => {
    expect(plain(html(createElement(Money, { agorot: 250_000 })))).toBe(
      '<bdi dir="rtl" class="money">2,500 ₪</bdi>',
    );
    expect(plain(html(createElement(Money, { agorot: 250_000, exact: true })))).toContain('2,500.00 ₪');
    expect(html(createElement(Num, { value: 8868 }))).toBe('<bdi dir="ltr" class="num">8,868</bdi>');
    expect(html(createElement(Num, { value: 20261, plain: true }))).toContain('>20261<');
  });

  it('a phone is shown as an Israeli reads it, isolated left-to-right', () => {
    expect(html(createElement(PhoneNumber, { value: '+972501234567' }))).toBe(
      '<bdi dir="ltr" class="num">050-123-4567</bdi>',
    );
    expect(html(createElement(PhoneNumber, { value: '+9721800123456' }))).toContain('1-800-123-456');
    expect(html(createElement(PhoneNumber, { value: null }))).toBe('');
  });

  it('an e-mail address breaks before "@" or "." first, anywhere only as a last resort', () => {
    const out = html(createElement(EmailAddress, { value: 'yossi.levi@example.co.il' }));
    expect(out).toContain('dir="ltr"');
    expect(out).toContain('overflow-wrap:anywhere');
    expect(out.replace(/<[^>]+>/g, '')).toBe('yossi.levi@example.co.il');
    expect(out).toContain('yossi<wbr/>.levi<wbr/>@example<wbr/>.co<wbr/>.il');
  });
});
