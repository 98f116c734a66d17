/**
 * Cuts a streamed LLM answer into speakable pieces so audio starts early. The first piece is cut
 * at the first clause (comma/colon/dash after a few words), or — when the first sentence runs on —
 * after `firstPieceWords` words at the first word boundary that is not inside a number, date, time,
 * price, phone number or name (safeBoundary). Later pieces end at sentence ends; a sentence longer
 * than `maxPieceChars` is cut at a clause, or else at a safe word boundary. Punctuation only cuts
 * when followed by whitespace, so 3.5 and 10,000 stay whole.
 */
const SENTENCE_END = /[.!?…]["'”׳״)]*\s/g;
const CLAUSE_END = /[,;:—–]\s|\s[-–—]\s/g;

export interface CutterOptions {
  /** Words the first piece needs before a clause boundary may cut it. */
  firstClauseMinWords: number;
  /** With no clause or sentence end yet, the first piece is cut after this many words (or later). */
  firstPieceWords: number;
  /** A sentence longer than this (chars) is cut at a clause boundary, else at a word boundary. */
  maxPieceChars: number;
}

const DEFAULTS: CutterOptions = { firstClauseMinWords: 3, firstPieceWords: 4, maxPieceChars: 140 };

const words = (s: string) => s.trim().split(/\s+/).filter(Boolean).length;

/** Hebrew number words (the stem after a one-letter prefix such as ו, ב, ל). */
const NUMBER_WORDS = new Set(
  (
    'אפס אחת אחד שתיים שתים שניים שנים שתי שני שלוש שלושה שלושת ארבע ארבעה ארבעת חמש חמישה חמשת ' +
    'שש שישה ששת שבע שבעה שבעת שמונה שמונת תשע תשעה תשעת עשר עשרה עשרת עשרים שלושים ארבעים ' +
    'חמישים שישים שבעים שמונים תשעים מאה מאות מאתיים אלף אלפים אלפיים מיליון מיליארד חצי רבע'
  ).split(' '),
);
/** Words that lead into a number, date, time or name: never cut right after them. */
const LEADS = new Set(
  (
    'שעה בשעה לשעה משעה השעה יום ביום ליום מיום היום תאריך בתאריך מספר המספר מס׳ טלפון בטלפון ' +
    'ת״ז רחוב ברחוב רח׳ שדרות קומה דירה שם בשם השם שמי שמו שמה קוראים ד״ר דוקטור מר גברת ' +
    'פרופ׳ פרופסור עו״ד רו״ח הרב רב מהנדס אדריכל ' +
    // function words that bind to the next word (prosody)
    'את של עם על עד בין אל או גם כי אם אבל לא רק כמו אחר לפני אחרי לפנות כל אצל ליד מול לפי בלי בשביל כדי'
  ).split(' '),
);
/** A name after one of these is two words: no cut between them either. */
const NAME_LEADS = new Set(
  'שם בשם השם שמי שמו שמה קוראים ד״ר דוקטור מר גברת פרופ׳ פרופסור עו״ד רו״ח הרב'.split(' '),
);

/** The word as a table key: outer punctuation off, ASCII quotes as Hebrew geresh/gershayim. */
function bare(w: string): string {
  return w
    .replace(/^[("'״׳“”‘’[]+/, '')
    .replace(/[.,;:!?…)\]“”]+$/, '')
    .replace(/"/g, '״')
    .replace(/'/g, '׳');
}

function isNumberWord(w: string): boolean {
  const b = bare(w);
  if (/[\d₪$€%]/.test(b)) return true;
  return NUMBER_WORDS.has(b) || (/^[ובלמהכש]/.test(b) && NUMBER_WORDS.has(b.slice(1)));
}

/** Words that bind to the word before them: possessives and demonstratives ("בסניף | שלנו"). */
const TRAILERS = /^(?:של(?:י|ך|ו|ה|נו|כם|כן|הם|הן)|הזה|הזאת|הזו|האלה|האלו)$/;

const isLatinName = (w: string) => /^[A-Z][A-Za-z.'’-]*$/.test(bare(w));

/**
 * May a piece end between word `a` and word `b` (with `before` the word before `a`)? Not inside a
 * number, date, time, price or phone number (a number on either side: "שמונים | שקלים",
 * "050 | 1234567"; digits on either side), not after a word that leads into one or into a name
 * ("בשעה | שלוש", "ד״ר | כהן"), not inside a two-word name after a title ("ד״ר משה | כהן"), not
 * between two capitalized Latin words ("Tel | Aviv"), not after a function word ("את | זה").
 */
export function safeBoundary(a: string, b: string, before = ''): boolean {
  if (/[,;:]$/.test(a)) return true;
  if (isNumberWord(a) || /[\d₪$€%]/.test(b)) return false;
  const ba = bare(a);
  if (LEADS.has(ba) || (/^[ובלמה]/.test(ba) && LEADS.has(ba.slice(1)) && ba.length > 2)) return false;
  if (NAME_LEADS.has(bare(before))) return false;
  if (isLatinName(a) && isLatinName(b)) return false;
  if (TRAILERS.test(bare(b)) || /^[-–—/]$/.test(b) || /[-–—/]$/.test(a)) return false;
  return true;
}

export class SentenceCutter {
  private buf = '';
  private pieces = 0;
  private readonly opts: CutterOptions;

  constructor(opts: Partial<CutterOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** Adds streamed text; returns the pieces completed by it. */
  push(delta: string): string[] {
    this.buf += delta;
    const out: string[] = [];
    for (;;) {
      const cut = this.findCut();
      if (cut < 0) break;
      const piece = this.buf.slice(0, cut).trim();
      this.buf = this.buf.slice(cut);
      if (piece) {
        out.push(piece);
        this.pieces++;
      }
    }
    return out;
  }

  /** The rest of the answer when the stream ends. */
  flush(): string[] {
    const piece = this.buf.trim();
    this.buf = '';
    if (!piece) return [];
    this.pieces++;
    return [piece];
  }

  private findCut(): number {
    const text = this.buf;
    const nl = text.indexOf('\n');
    SENTENCE_END.lastIndex = 0;
    const s = SENTENCE_END.exec(text);
    let cut = s ? s.index + s[0].length : -1;
    if (nl >= 0 && (cut < 0 || nl + 1 < cut)) cut = nl + 1;
    if (cut >= 0 && text.slice(0, cut).trim() === '') return cut;
    const first = this.pieces === 0;
    const tooLong = cut < 0 && text.length > this.opts.maxPieceChars;
    if (first || tooLong) {
      CLAUSE_END.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = CLAUSE_END.exec(text))) {
        const end = m.index + m[0].length;
        if (cut >= 0 && end >= cut) break;
        if (words(text.slice(0, end)) >= this.opts.firstClauseMinWords) return end;
      }
    }
    if (cut < 0 && first) return wordCut(text, this.opts.firstPieceWords, 0);
    if (tooLong) return wordCut(text, 1, this.opts.maxPieceChars);
    return cut;
  }
}

/**
 * The end of the first safe word boundary after at least `minWords` words and `minChars`
 * characters, judged only once the two words after it are complete (followed by whitespace, with
 * no sentence end among them): a short sentence stays whole and no piece is a lone word; -1 if none.
 */
function wordCut(text: string, minWords: number, minChars: number): number {
  const tokens = [...text.matchAll(/\S+/g)];
  for (let k = minWords; k + 1 < tokens.length; k++) {
    const after = tokens[k + 1]!;
    if (after.index + after[0].length >= text.length) break; // it may still be streaming
    const next = tokens[k]!;
    const prev = tokens[k - 1]!;
    const end = prev.index + prev[0].length;
    if (end < minChars) continue;
    if (safeBoundary(prev[0], next[0], tokens[k - 2]?.[0])) return end;
  }
  return -1;
}

/** What TTS should say: no markdown, emoji or list bullets. */
export function speakable(text: string): string {
  return text
    .replace(/[*_#`>|]+/g, ' ')
    .replace(/^\s*[-•]\s+/gm, '')
    .replace(/\p{Extended_Pictographic}/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}
