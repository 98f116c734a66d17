/**
 * Words an Israeli owner understands (issue 15): every key is named in Hebrew first, with the
 * service's English term only as a hint and a Hebrew line on where to find it; deal stages have
 * plain names where a won deal and a lost one cannot be confused.
 */
import { describe, expect, it } from 'vitest';
import { DEAL_STAGES } from '../../src-main/api/contract/crm';
import { SECRET_KEYS } from '../../src-main/api/contract/system';
import { he } from '../../src-renderer/i18n/he';

const HEBREW = /[\u05d0-\u05ea]/;
/** Latin letters outside the bidi isolates (⁦…⁩) the UI quotes a vendor's wording in. */
const looseLatin = (s: string) => /[A-Za-z]/.test(s.replace(/\u2066[^\u2069]*\u2069/g, ''));

describe('key labels', () => {
  it.each(SECRET_KEYS)('%s: a Hebrew name, the English term as a hint, where to find it', (name) => {
    const label = he.settings.secrets[name];
    const term = he.settings.secretTerms[name];
    const where = he.settings.secretWhere[name];
    expect(label).toMatch(HEBREW);
    expect(looseLatin(label), label).toBe(false);
    // The term is the service's own English, isolated, and not repeated in the Hebrew name.
    expect(term).toMatch(/^\u2066[^\u2069]+\u2069$/);
    expect(label).not.toContain(term.slice(1, -1));
    expect(where).toMatch(HEBREW);
    expect(looseLatin(where), where).toBe(false);
  });
});

describe('deal stages', () => {
  it('five different plain names; won and lost say so', () => {
    const names = DEAL_STAGES.map((s) => he.crm.stage[s]);
    expect(new Set(names).size).toBe(DEAL_STAGES.length);
    expect(he.crm.stage.won).toContain('בהצלחה');
    expect(he.crm.stage.lost).toMatch(/^לא /);
    for (const n of names) {
      expect(['מתאימה', 'נסגרה', 'אבודה']).not.toContain(n);
      expect(looseLatin(n)).toBe(false);
    }
  });
});
