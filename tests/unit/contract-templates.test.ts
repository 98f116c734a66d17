import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BLANK,
  checkTemplate,
  loadDefaultTemplates,
  PLACEHOLDERS,
  renderTemplate,
  toBlocks,
} from '../../src-main/contracts/templates';

const RESOURCES = path.join(import.meta.dirname, '../../resources');

describe('contract templates', () => {
  it('fills placeholders and reports the missing ones', () => {
    const r = renderTemplate('בין {{business.name}} לבין {{ customer.name }}, ת.ז. {{customer.idNumber}}.', {
      'business.name': 'מספרת דני',
      'customer.name': 'דנה כהן',
    });
    expect(r.text).toBe(`בין מספרת דני לבין דנה כהן, ת.ז. ${BLANK}.`);
    expect(r.missing).toEqual(['customer.idNumber']);
  });

  it('never reads a value again: customer data cannot add placeholders, markup or lines', () => {
    const r = renderTemplate('שלום {{customer.name}} — {{business.name}}', {
      'customer.name': '{{business.vatId}} **מודגש** <script>alert(1)</script>\n# כותרת',
      'business.name': 'העסק',
    });
    expect(r.text).toBe('שלום {{business.vatId}} **מודגש** <script>alert(1)</script> # כותרת — העסק');
    expect(r.missing).toEqual([]);
  });

  it('keeps unknown {{…}} as written and names them in the check', () => {
    expect(renderTemplate('{{customer.nmae}}', {}).text).toBe('{{customer.nmae}}');
    expect(checkTemplate('{{customer.nmae}} {{customer.name}} {{customer.name}}')).toEqual({
      used: ['customer.name'],
      unknown: ['customer.nmae'],
    });
  });

  it('turns the text into headings and paragraphs with bold runs', () => {
    expect(toBlocks('# הסכם\n\n## 1. השירות\nשורה\nהמשך **חשוב** כאן\n\n\n')).toEqual([
      { kind: 'h1', text: 'הסכם' },
      { kind: 'h2', text: '1. השירות' },
      {
        kind: 'p',
        runs: [
          { text: 'שורה המשך ', bold: false },
          { text: 'חשוב', bold: true },
          { text: ' כאן', bold: false },
        ],
      },
    ]);
    expect(toBlocks('**בין:** העסק')).toEqual([
      {
        kind: 'p',
        runs: [
          { text: 'בין:', bold: true },
          { text: ' העסק', bold: false },
        ],
      },
    ]);
  });

  it('ships three default templates that use only known placeholders', () => {
    const defaults = loadDefaultTemplates(RESOURCES);
    expect(defaults.map((d) => d.key)).toEqual(['quote-acceptance', 'service-agreement', 'work-order']);
    for (const d of defaults) {
      expect(d.name).toMatch(/[\u0590-\u05FF]/);
      const check = checkTemplate(d.body);
      expect(check.unknown).toEqual([]);
      expect(check.used.every((p) => p in PLACEHOLDERS)).toBe(true);
    }
    expect(defaults.find((d) => d.key === 'service-agreement')?.requiresIdNumber).toBe(true);
  });
});
