/**
 * SSML for voices that accept it (Google Wavenet, Standard, Neural2 — not Chirp 3 HD, not
 * OpenAI): `<say-as>` only for what the deterministic normalizer (speakable.ts) does not turn into
 * plain words — international phone numbers (+1 212…; Israeli ones are digit groups already),
 * year-first dates with / or . (2026/12/03), times with seconds (10:30:15) and codes mixing Latin
 * letters and digits (AB12345). Everything else is the normalizer's speakable text, XML-escaped.
 * Returns undefined when there is nothing to mark, so plain text is sent as before.
 */
import { toSpoken } from './speakable';

const XML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => XML[c]!);

const SPECIAL = new RegExp(
  [
    String.raw`(?<phone>\+(?!972)[1-9]\d{0,2}(?:[ -]?\d){6,12})(?![\d])`,
    String.raw`(?<date>(?<y>(?:19|20)\d{2})(?<sep>[/.])(?<mo>\d{1,2})\k<sep>(?<d>\d{1,2}))(?![\d.]\d)`,
    String.raw`(?<time>(?<h>\d{1,2}):(?<mi>\d{2}):(?<s>\d{2}))(?!\d)`,
    String.raw`(?<code>(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{4,16})(?![A-Za-z\d])`,
  ].join('|'),
  'g',
);

const pad = (n: string) => n.padStart(2, '0');

function sayAs(g: Record<string, string | undefined>): string | undefined {
  if (g.phone) return `<say-as interpret-as="telephone">${escapeXml(g.phone)}</say-as>`;
  if (g.date) {
    const [mo, d] = [Number(g.mo), Number(g.d)];
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
    return `<say-as interpret-as="date" format="yyyymmdd" detail="1">${g.y}-${pad(g.mo!)}-${pad(g.d!)}</say-as>`;
  }
  if (g.time) {
    if (Number(g.h) > 23 || Number(g.mi) > 59 || Number(g.s) > 59) return undefined;
    return `<say-as interpret-as="time" format="hms24">${pad(g.h!)}:${g.mi}:${g.s}</say-as>`;
  }
  if (g.code) return `<say-as interpret-as="characters">${escapeXml(g.code)}</say-as>`;
  return undefined;
}

/** Written text → `<speak>` SSML with say-as for what the normalizer leaves; undefined if none. */
export function toSsml(written: string): string | undefined {
  let out = '';
  let last = 0;
  let marked = false;
  for (const m of written.matchAll(SPECIAL)) {
    const before = written[m.index - 1];
    if (before && /[\p{L}\p{N}_+]/u.test(before) && !/[\u05D0-\u05EA]/.test(before)) continue;
    const tag = sayAs(m.groups ?? {});
    if (!tag) continue;
    out += escapeXml(toSpoken(written.slice(last, m.index))) + tag;
    last = m.index + m[0].length;
    marked = true;
  }
  if (!marked) return undefined;
  return `<speak>${out}${escapeXml(toSpoken(written.slice(last)))}</speak>`;
}
