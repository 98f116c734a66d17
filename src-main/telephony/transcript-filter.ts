/**
 * Tells a real voice message from what speech-to-text returns for silence, breathing or
 * line noise: empty text, a few letters, a lone filler word, or the stock phrases Whisper-
 * style models hallucinate on silence.
 */

const MIN_LETTERS = 6;
const MIN_WORDS = 2;

/** Phrases models produce for silent or noisy audio (compared after normalizing). */
const SILENCE_HALLUCINATIONS = [
  'תודה',
  'תודה רבה',
  'תודה רבה לכם',
  'תודה שצפיתם',
  'תודה על הצפייה',
  'כתוביות',
  'תרגום',
  'תורגם על ידי',
  'שלום',
  'להתראות',
  'ביי',
  'אוקיי',
  'thank you',
  'thanks for watching',
  'thank you for watching',
  'subtitles by',
  'you',
  'bye',
];

const FILLERS = new Set(['אה', 'אמ', 'אממ', 'הממ', 'מממ', 'אהה', 'אהם', 'uh', 'um', 'hmm', 'mm', 'ah', 'oh']);

export function normalizeTranscript(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u0591-\u05C7]/g, '') // Hebrew vowel points and cantillation
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export type TranscriptVerdict =
  | { ok: true; text: string }
  | { ok: false; reason: 'empty' | 'too_short' | 'filler' | 'hallucination' | 'repetitive' };

export function judgeTranscript(raw: string | null | undefined): TranscriptVerdict {
  const text = (raw ?? '').trim();
  const norm = normalizeTranscript(text);
  if (!norm) return { ok: false, reason: 'empty' };
  const words = norm.split(' ');
  const letters = (norm.match(/\p{L}/gu) ?? []).length;
  if (words.every((w) => FILLERS.has(w))) return { ok: false, reason: 'filler' };
  if (SILENCE_HALLUCINATIONS.includes(norm)) return { ok: false, reason: 'hallucination' };
  if (letters < MIN_LETTERS || words.filter((w) => !FILLERS.has(w)).length < MIN_WORDS)
    return { ok: false, reason: 'too_short' };
  const distinct = new Set(words);
  if (words.length >= 6 && distinct.size <= 2) return { ok: false, reason: 'repetitive' };
  return { ok: true, text };
}
