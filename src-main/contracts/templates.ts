/**
 * Contract templates: Hebrew text with `{{group.field}}` placeholders and a small Markdown subset
 * (`#`/`##` headings, `**bold**` runs, paragraphs). Rendering is one pass over the template only:
 * a value is inserted as plain text and never read again, so customer data cannot add
 * placeholders or markup; the signing page and the PDF treat the result as text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTRACT_BLANK } from '../api/contract/contracts';

/** Every placeholder a template may use, with its Hebrew label (shown when a value is missing). */
export const PLACEHOLDERS = {
  'customer.name': 'שם הלקוח',
  'customer.idNumber': 'ת.ז. או ח.פ. של הלקוח',
  'customer.address': 'כתובת הלקוח',
  'customer.phone': 'טלפון הלקוח',
  'customer.email': 'דוא״ל הלקוח',
  'deal.title': 'נושא העסקה',
  'deal.amount': 'סכום העסקה',
  'business.name': 'שם העסק',
  'business.vatId': 'מספר העוסק',
  'business.address': 'כתובת העסק',
  'business.phone': 'טלפון העסק',
  'date.today': 'תאריך',
  'contract.number': 'מספר ההסכם',
} as const;
export type Placeholder = keyof typeof PLACEHOLDERS;
export type FieldValues = Partial<Record<Placeholder, string>>;

const TOKEN = /\{\{\s*([a-zA-Z]+\.[a-zA-Z]+)\s*\}\}/g;

export interface TemplateCheck {
  /** Placeholders used, in order of first use. */
  used: Placeholder[];
  /** `{{…}}` that are not placeholders (a typo in the template). */
  unknown: string[];
}

export function checkTemplate(body: string): TemplateCheck {
  const used: Placeholder[] = [];
  const unknown: string[] = [];
  for (const m of body.matchAll(TOKEN)) {
    const name = m[1]!;
    if (name in PLACEHOLDERS) {
      if (!used.includes(name as Placeholder)) used.push(name as Placeholder);
    } else if (!unknown.includes(name)) unknown.push(name);
  }
  return { used, unknown };
}

export interface Rendered {
  text: string;
  /** Placeholders the template uses that have no value (they render as a blank line to fill in). */
  missing: Placeholder[];
}

/** Values are plain text: control characters and line breaks inside a value become spaces. */
const clean = (v: string) => v.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();

export const BLANK = CONTRACT_BLANK;

export function renderTemplate(body: string, values: FieldValues): Rendered {
  const missing: Placeholder[] = [];
  const text = body.replace(TOKEN, (whole, name: string) => {
    if (!(name in PLACEHOLDERS)) return whole;
    const v = clean(values[name as Placeholder] ?? '');
    if (!v) {
      if (!missing.includes(name as Placeholder)) missing.push(name as Placeholder);
      return BLANK;
    }
    return v;
  });
  return { text, missing };
}

export { toBlocks, type Block } from './text';

export interface DefaultTemplate {
  key: string;
  name: string;
  requiresIdNumber: boolean;
  body: string;
}

/** The templates shipped in resources/contracts (front matter: name, requiresIdNumber). */
export function loadDefaultTemplates(resourcesDir: string): DefaultTemplate[] {
  const dir = path.join(resourcesDir, 'contracts');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => {
      const raw = readFileSync(path.join(dir, f), 'utf8');
      const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(raw);
      if (!m) throw new Error(`contract template ${f} has no front matter`);
      const meta = Object.fromEntries(
        m[1]!.split('\n').map((l) => {
          const i = l.indexOf(':');
          return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
        }),
      );
      if (!meta.name) throw new Error(`contract template ${f} has no name`);
      return {
        key: f.replace(/\.md$/, ''),
        name: meta.name,
        requiresIdNumber: meta.requiresIdNumber === 'true',
        body: m[2]!.trim() + '\n',
      };
    });
}
