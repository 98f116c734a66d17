import { PLACEHOLDER_NAMES } from '../../src-main/api/contract/contracts';
import { he } from '../i18n/he';

type Placeholder = (typeof PLACEHOLDER_NAMES)[number];

/**
 * The owner edits placeholders by their Hebrew names, in square brackets ("[שם הלקוח]"); the
 * template stores `{{customer.name}}`. Both ways are exact: the names are unique, and anything
 * else in brackets or braces is left as typed (a `{{…}}` that is no placeholder is named as a typo).
 */
export const placeholderLabel = (p: Placeholder) => `[${he.contracts.placeholders[p]}]`;
export function toEditable(body: string): string {
  return body.replace(/\{\{\s*([a-zA-Z]+\.[a-zA-Z]+)\s*\}\}/g, (whole, name: string) =>
    (PLACEHOLDER_NAMES as readonly string[]).includes(name) ? placeholderLabel(name as Placeholder) : whole,
  );
}
export function toStored(text: string): string {
  return text.replace(/\[([^[\]\n]{2,40})\]/g, (whole, name: string) => {
    const p = PLACEHOLDER_NAMES.find((x) => he.contracts.placeholders[x] === name.trim());
    return p ? `{{${p}}}` : whole;
  });
}
