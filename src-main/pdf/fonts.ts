/**
 * The Hebrew font shipped in `resources/fonts/` (Noto Sans Hebrew, SIL OFL 1.1: regular and bold,
 * static TTF with Latin, digits and ₪). Read once per process; embedded as a subset per document.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { findAppRoot } from '../platform/paths';

export type Weight = 'regular' | 'bold';

export const FONT_FILES: Record<Weight, string> = {
  regular: 'NotoSansHebrew-Regular.ttf',
  bold: 'NotoSansHebrew-Bold.ttf',
};

/** A font's bytes and an advance-width table (per code point, in units of 1/1000 em). */
export interface FontData {
  bytes: Uint8Array;
  /** Advance width of a code point at size 1 (points per point of size). */
  advance(codePoint: number): number;
  /** Ascender and descender at size 1. */
  ascent: number;
  descent: number;
}

let cached: { dir: string; fonts: Record<Weight, FontData> } | undefined;

/** `resources/fonts` of the app (source tree in development, the app folder when packaged). */
export function defaultFontsDir(): string {
  return path.join(findAppRoot(), 'resources', 'fonts');
}

export function loadFonts(dir = defaultFontsDir()): Record<Weight, FontData> {
  if (cached?.dir === dir) return cached.fonts;
  const load = (file: string): FontData => {
    const bytes = new Uint8Array(readFileSync(path.join(dir, file)));
    const fk = fontkit.create(bytes as unknown as Buffer);
    const upm = fk.unitsPerEm;
    const widths = new Map<number, number>();
    return {
      bytes,
      ascent: fk.ascent / upm,
      descent: fk.descent / upm,
      advance(cp) {
        let w = widths.get(cp);
        if (w === undefined) {
          w = fk.glyphForCodePoint(cp).advanceWidth / upm;
          widths.set(cp, w);
        }
        return w;
      },
    };
  };
  const fonts = { regular: load(FONT_FILES.regular), bold: load(FONT_FILES.bold) };
  cached = { dir, fonts };
  return fonts;
}
