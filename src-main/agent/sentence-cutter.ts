/**
 * Cuts a streamed LLM answer into speakable pieces: the first piece at the first clause
 * (comma/colon/dash after a few words) so audio starts early, later pieces at sentence ends,
 * long sentences at a clause. Punctuation only cuts when followed by whitespace, so 3.5 and
 * 10,000 stay whole.
 */
const SENTENCE_END = /[.!?…]["'”׳״)]*\s/g;
const CLAUSE_END = /[,;:—–]\s|\s[-–—]\s/g;

export interface CutterOptions {
  /** Words the first piece needs before a clause boundary may cut it. */
  firstClauseMinWords: number;
  /** A sentence longer than this (chars) is cut at a clause boundary. */
  maxPieceChars: number;
}

const DEFAULTS: CutterOptions = { firstClauseMinWords: 3, maxPieceChars: 140 };

const words = (s: string) => s.trim().split(/\s+/).filter(Boolean).length;

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
    const clauseAllowed = this.pieces === 0 || (cut < 0 && text.length > this.opts.maxPieceChars);
    if (clauseAllowed) {
      CLAUSE_END.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = CLAUSE_END.exec(text))) {
        const end = m.index + m[0].length;
        if (cut >= 0 && end >= cut) break;
        if (words(text.slice(0, end)) >= this.opts.firstClauseMinWords) return end;
      }
    }
    return cut;
  }
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
