/**
 * The typesetting layer of the PDF engine: measures with the embedded font, wraps lines by
 * width, and draws each line as bidi segments placed by hand (RTL by default). pdf-lib draws the
 * glyphs; it never decides an order.
 *
 * pdf-lib encodes text through fontkit's `layout()`, which guesses a script from the string and
 * reverses an RTL-script string's glyphs, and runs the OpenType lookups on every call (slow, and
 * pdf-lib drops the positions anyway). For our fonts `layout()` is replaced by a plain
 * code point → glyph map: the string handed to pdf-lib is already in visual order, and that is
 * the order its glyphs are written in.
 */
import {
  type PDFDocument,
  degrees,
  rgb,
  type Color,
  type PDFFont,
  type PDFPage,
  type PDFImage,
} from 'pdf-lib';
import { deflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import { visualSegments, type VisualSegment } from './bidi';
import { loadFonts, type FontData, type Weight } from './fonts';

export const A4: [number, number] = [595.28, 841.89];

/** Where a string is handed to pdf-lib; the self-test swaps it for one that records glyphs. */
export type GlyphSink = (
  page: PDFPage,
  input: string,
  at: { x: number; y: number; size: number; weight: Weight; color: Color },
) => void;

export interface TextStyle {
  size: number;
  weight?: Weight;
  color?: Color;
}

export interface DrawOptions extends TextStyle {
  /** The anchor: the right edge for 'right' (the default, RTL), the left edge for 'left'. */
  x: number;
  y: number;
  align?: 'right' | 'left' | 'center';
  /** Paragraph direction; RTL unless the text is a standalone left-to-right value. */
  base?: 'rtl' | 'ltr';
}

export const BLACK = rgb(0.1, 0.1, 0.12);

/**
 * One per document: the embedded (subset) fonts and the width tables. Lines are drawn as
 * visual segments from left to right; a segment's width is the sum of its glyph advances, the
 * same widths pdf-lib writes into the font's /W array.
 */
export class Typesetter {
  readonly doc: PDFDocument;
  private readonly pdfFonts: Record<Weight, PDFFont>;
  private readonly data: Record<Weight, FontData>;
  sink: GlyphSink;
  /** Splits a line into visual segments (bidi-js); the self-test can swap in a broken one. */
  segmenter: (line: string, base: 'rtl' | 'ltr') => VisualSegment[] = visualSegments;

  private constructor(doc: PDFDocument, pdfFonts: Record<Weight, PDFFont>, data: Record<Weight, FontData>) {
    this.doc = doc;
    this.pdfFonts = pdfFonts;
    this.data = data;
    // drawText({font}) adds a font resource to the page on every call; set it once per change.
    const current = new WeakMap<PDFPage, PDFFont>();
    this.sink = (page, input, at) => {
      const font = this.pdfFonts[at.weight];
      if (current.get(page) !== font) {
        page.setFont(font);
        current.set(page, font);
      }
      page.drawText(input, { x: at.x, y: at.y, size: at.size, color: at.color });
    };
  }

  static async create(doc: PDFDocument, fontsDir?: string): Promise<Typesetter> {
    const data = loadFonts(fontsDir);
    nativeDeflate(doc);
    doc.registerFontkit(fontkit);
    // A fixed subset tag keeps the bytes reproducible (pdf-lib would add a random suffix).
    const regular = await doc.embedFont(data.regular.bytes, {
      subset: true,
      customName: 'AGLREG+NotoSansHebrew',
    });
    const bold = await doc.embedFont(data.bold.bytes, {
      subset: true,
      customName: 'AGLBLD+NotoSansHebrew-Bold',
    });
    for (const f of [regular, bold]) {
      plainLayout(f);
      syncSubsetEncode(f);
    }
    return new Typesetter(doc, { regular, bold }, data);
  }

  font(weight: Weight): PDFFont {
    return this.pdfFonts[weight];
  }

  /** The advance width of `text` in points. */
  width(text: string, style: TextStyle): number {
    const f = this.data[style.weight ?? 'regular'];
    let w = 0;
    for (const ch of text) w += f.advance(ch.codePointAt(0)!);
    return w * style.size;
  }

  /** Ascender height at this size (for placing a baseline under a top edge). */
  ascent(style: TextStyle): number {
    return this.data[style.weight ?? 'regular'].ascent * style.size;
  }

  /**
   * Draws one line (no wrapping) anchored at x: its bidi segments left to right, each handed to
   * pdf-lib so that its glyphs come out in visual order. Returns the drawn width.
   */
  drawLine(page: PDFPage, text: string, o: DrawOptions): number {
    const style = { size: o.size, weight: o.weight ?? 'regular' } as const;
    const segments = this.segmenter(text.replace(/[\r\n\t]+/g, ' '), o.base ?? 'rtl');
    const widths = segments.map((s) => this.width(s.text, style));
    const total = widths.reduce((a, b) => a + b, 0);
    const align = o.align ?? 'right';
    let x = align === 'right' ? o.x - total : align === 'center' ? o.x - total / 2 : o.x;
    const color = o.color ?? BLACK;
    segments.forEach((s, i) => {
      if (s.text.trim() !== '') this.sink(page, s.text, { x, y: o.y, ...style, color });
      x += widths[i]!;
    });
    return total;
  }

  /**
   * Greedy word wrap by measured width: lines break at spaces; a word wider than the line is
   * broken between characters. Explicit newlines are kept.
   */
  wrap(text: string, style: TextStyle, maxWidth: number): string[] {
    const out: string[] = [];
    const space = this.width(' ', style);
    for (const para of text.split(/\r?\n/)) {
      let line = '';
      let lineW = 0;
      for (const word of para.split(/ +/)) {
        if (word === '') continue;
        let w = this.width(word, style);
        let piece = word;
        while (w > maxWidth) {
          // Break a long word: as many characters as fit.
          if (line) {
            out.push(line);
            line = '';
            lineW = 0;
          }
          let cut = '';
          let cutW = 0;
          for (const ch of piece) {
            const cw = this.width(ch, style);
            if (cutW + cw > maxWidth && cut) break;
            cut += ch;
            cutW += cw;
          }
          out.push(cut);
          piece = piece.slice(cut.length);
          w = this.width(piece, style);
        }
        if (piece === '') continue;
        if (line && lineW + space + w > maxWidth) {
          out.push(line);
          line = '';
          lineW = 0;
        }
        line = line ? `${line} ${piece}` : piece;
        lineW = lineW ? lineW + space + w : w;
      }
      out.push(line);
    }
    return out;
  }

  /** Draws a wrapped block (right-aligned by default); returns the lines drawn. */
  drawBlock(page: PDFPage, text: string, o: DrawOptions & { width: number; lineHeight: number }): number {
    const lines = this.wrap(text, o, o.width);
    lines.forEach((l, i) => this.drawLine(page, l, { ...o, y: o.y - i * o.lineHeight }));
    return lines.length;
  }

  /**
   * A large diagonal word across the page (the draft mark "טיוטה"), centred, 45°. One RTL
   * segment, so it is handed to pdf-lib as such and rotated about its own left end.
   */
  drawDiagonal(page: PDFPage, word: string, o: { size: number; color: Color; opacity: number }): void {
    const { width, height } = page.getSize();
    const style = { size: o.size, weight: 'bold' as const };
    const w = this.width(word, style);
    const angle = Math.PI / 4;
    const capMid = this.ascent(style) * 0.35;
    // Start so that the word's middle lies on the page centre.
    const x = width / 2 - (Math.cos(angle) * w) / 2 + Math.sin(angle) * capMid;
    const y = height / 2 - (Math.sin(angle) * w) / 2 - Math.cos(angle) * capMid;
    const input = visualSegments(word)
      .map((s) => s.text)
      .join('');
    page.drawText(input, {
      x,
      y,
      size: o.size,
      font: this.pdfFonts.bold,
      color: o.color,
      opacity: o.opacity,
      rotate: degrees(45),
    });
  }

  /** Draws an image fitted into a box (keeps its aspect ratio), anchored top-right. */
  drawImageFit(
    page: PDFPage,
    img: PDFImage,
    box: { right: number; top: number; width: number; height: number },
  ) {
    const scale = Math.min(box.width / img.width, box.height / img.height, 1);
    const w = img.width * scale;
    const h = img.height * scale;
    page.drawImage(img, { x: box.right - w, y: box.top - h, width: w, height: h });
    return { width: w, height: h };
  }
}

interface FontkitGlyph {
  id: number;
  codePoints: number[];
  advanceWidth: number;
}
interface FontkitFont {
  glyphForCodePoint(cp: number): FontkitGlyph;
  layout(text: string, features?: unknown): { glyphs: FontkitGlyph[] };
}

/** The fontkit font behind an embedded PDFFont (pdf-lib keeps it on its embedder). */
export function fontkitOf(font: PDFFont): FontkitFont {
  const fk = (font as unknown as { embedder?: { font?: FontkitFont } }).embedder?.font;
  if (!fk || typeof fk.layout !== 'function')
    throw new Error('pdf-lib internals changed: no fontkit font on the embedder');
  return fk;
}

/** Glyphs in string order, one per code point (no script guess, no reversal, no shaping). */
function plainLayout(font: PDFFont): void {
  const fk = fontkitOf(font);
  fk.layout = (text: string) => {
    const glyphs: FontkitGlyph[] = [];
    for (const ch of text) glyphs.push(fk.glyphForCodePoint(ch.codePointAt(0)!));
    return { glyphs };
  };
}

/**
 * pdf-lib compresses the embedded font subsets with pako (JavaScript deflate: most of a page's
 * render time); node's zlib gives the same format several times faster, and is deterministic.
 */
function nativeDeflate(doc: PDFDocument): void {
  const ctx = doc.context;
  ctx.flateStream = (contents, dict = {}) =>
    ctx.stream(deflateSync(typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents), {
      ...dict,
      Filter: 'FlateDecode',
    });
}

interface EncodeStreamLike {
  push(chunk: Uint8Array | null): boolean;
  end(): void;
}
type EncodeStreamCtor = new () => EncodeStreamLike;
let encodeStreamCtor: EncodeStreamCtor | undefined;

/**
 * pdf-lib serialises a font subset through fontkit's stream API, whose browser shims hop
 * through timers (a few ms per document on a busy machine). The subset's own `encode()` is
 * synchronous: run it on a stream whose `push` collects the bytes.
 */
function syncSubsetEncode(font: PDFFont): void {
  const embedder = (font as unknown as { embedder?: Record<string, unknown> }).embedder;
  const subset = embedder?.subset as
    { encode(s: EncodeStreamLike): void; encodeStream(): EncodeStreamLike } | undefined;
  if (!embedder || !subset || typeof subset.encode !== 'function') return;
  embedder.serializeFont = async () => {
    if (!encodeStreamCtor) {
      // The constructor is only reachable through a stream; this one is left to finish unused.
      encodeStreamCtor = subset.encodeStream().constructor as EncodeStreamCtor;
    }
    const parts: Uint8Array[] = [];
    const s = new encodeStreamCtor();
    s.push = (chunk) => {
      if (chunk) parts.push(new Uint8Array(chunk));
      return true;
    };
    subset.encode(s);
    s.end();
    return Buffer.concat(parts);
  };
}
