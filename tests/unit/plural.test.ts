/**
 * Counts next to nouns: one helper (src-renderer/lib/plural.ts, Intl.PluralRules('he')) picks
 * Hebrew's one / two / other form, and every count string in he.ts is one of its `Plural`s —
 * so "1 לקוחות" cannot come back by a new string.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Counted } from '../../src-renderer/components/format';
import { he } from '../../src-renderer/i18n/he';
import { isPlural, plural, type Plural } from '../../src-renderer/lib/plural';

const customers: Plural = { one: 'לקוח אחד', other: '{n} לקוחות' };
const days: Plural = { one: 'יום אחד', two: 'יומיים', other: '{n} ימים' };

describe('plural', () => {
  it('one, two and other as Hebrew says them', () => {
    expect(plural(1, customers)).toBe('לקוח אחד');
    expect(plural(2, customers)).toBe('2 לקוחות');
    expect(plural(0, customers)).toBe('0 לקוחות');
    expect(plural(11, customers)).toBe('11 לקוחות');
    expect(plural(1, { one: 'שיחה אחת', other: '{n} שיחות' })).toBe('שיחה אחת');
    expect(plural(2, days)).toBe('יומיים');
    expect(plural(3, days)).toBe('3 ימים');
  });

  it('counts get thousands separators; other placeholders are filled', () => {
    expect(plural(200_000, { one: 'שיחה אחת', other: '{n} שיחות' })).toBe('200,000 שיחות');
    expect(plural(1436, customers)).toBe('1,436 לקוחות');
    expect(plural(3, { one: 'x', other: '{n} ב{where}' }, { where: 'תל אביב' })).toBe('3 בתל אביב');
  });

  it('<Counted> isolates the count the same way <Num> does', () => {
    expect(renderToStaticMarkup(createElement(Counted, { n: 8868, forms: customers }))).toBe(
      '<span><bdi dir="ltr" class="num">8,868</bdi> לקוחות</span>',
    );
    expect(renderToStaticMarkup(createElement(Counted, { n: 1, forms: customers }))).toBe(
      '<span>לקוח אחד</span>',
    );
  });
});

/** Every string in he.ts with the path it sits at, and whether it is a form of a Plural. */
function strings(
  v: unknown,
  at: string,
  inPlural = false,
): Array<{ at: string; text: string; inPlural: boolean }> {
  if (typeof v === 'string') return [{ at, text: v, inPlural }];
  if (typeof v !== 'object' || v === null) return [];
  const plural = isPlural(v);
  return Object.entries(v).flatMap(([k, x]) => strings(x, `${at}.${k}`, plural));
}

/**
 * Not counts of things: a decimal number of seconds ("1.2 שניות") and sizes in units ("3 מ״ב"),
 * which Hebrew writes with the plural noun whatever the number, and a position ("שלב 2 מתוך 7").
 */
const NOT_COUNTS = new Set([
  'he.calls.seconds',
  'he.whatsapp.units.kb',
  'he.whatsapp.units.mb',
  'he.whatsapp.composer.fileTooLarge',
  'he.onboarding.progress',
]);

describe('he.ts', () => {
  const all = strings(he, 'he');

  it('every count followed by a noun is a Plural', () => {
    // "{n} לקוחות", "עד {n} תווים": a count placeholder before a Hebrew word.
    const counts = all.filter((s) => /\{(n|m|count|total)\}\s*[\u05d0-\u05ea]/.test(s.text));
    expect(counts.length).toBeGreaterThan(10);
    const loose = counts.filter((s) => !s.inPlural && !NOT_COUNTS.has(s.at)).map((s) => `${s.at}: ${s.text}`);
    expect(loose).toEqual([]);
  });

  it('each Plural has a one form without the digit and an other form with {n}', () => {
    const plurals: Array<{ at: string; p: Plural }> = [];
    const walk = (v: unknown, at: string) => {
      if (isPlural(v)) plurals.push({ at, p: v });
      else if (typeof v === 'object' && v !== null)
        for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    walk(he, 'he');
    expect(plurals.length).toBeGreaterThan(20);
    for (const { at, p } of plurals) {
      expect(p.one, at).not.toMatch(/\{n\}|\b1\b/);
      expect(p.other, at).toContain('{n}');
    }
  });

  it('the renderer chooses forms only through the helper (no "=== 1 ?" next to a he string, no ad-hoc {n})', () => {
    const root = path.join(import.meta.dirname, '../../src-renderer');
    const files = readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => /\.tsx?$/.test(f) && !f.startsWith('i18n'));
    const bad: string[] = [];
    for (const f of files) {
      const src = readFileSync(path.join(root, f), 'utf8');
      src.split('\n').forEach((line, i) => {
        if (/[=!]==? 1 \?[^:]*\b(he|t)\.\w/.test(line) || /\.replace\('\{n\}'/.test(line))
          bad.push(`${f}:${i + 1}`);
      });
    }
    expect(bad).toEqual([]);
  });
});
