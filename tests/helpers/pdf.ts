/** Helpers for the PDF tests: poppler's pdftotext/pdftoppm/pdfinfo on a rendered document. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';

function withFile<T>(pdf: Uint8Array, fn: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    return fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pdftotext of the whole document or one page (1-based), bidi control marks removed. */
export function pdfText(pdf: Uint8Array, page?: number): string {
  return withFile(pdf, (file) => {
    const range = page ? ['-f', String(page), '-l', String(page)] : [];
    const out = execFileSync('pdftotext', [...range, file, '-'], { encoding: 'utf8' });
    return out.replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/g, '');
  });
}

/**
 * pdftotext in words: it keeps the logical order of words and numbers but misplaces neutral
 * punctuation at direction changes (")(Dana", ",12תל", "₪ 3,430.50"), so brackets, colons,
 * dashes, ₪ and commas that are not digit grouping are dropped, and a number or Latin word
 * glued to a Hebrew word is split off.
 */
export function pdfWords(pdf: Uint8Array, page?: number): string {
  return pdfText(pdf, page)
    .replace(/[()[\]:—·₪]/g, ' ')
    .replace(/,(?!\d)|(?<!\d),/g, ' ')
    .replace(/([\dA-Za-z])(?=[\u0590-\u05ff])|([\u0590-\u05ff])(?=\d)/g, '$1$2 ')
    .replace(/\s+/g, ' ');
}

export function pdfPages(pdf: Uint8Array): number {
  return withFile(pdf, (file) => {
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  });
}

/** Page `page` rendered by pdftoppm at `dpi` as a decoded PNG. */
export function pdfPagePng(pdf: Uint8Array, page = 1, dpi = 50): PNG {
  return withFile(pdf, (file, dir) => {
    execFileSync('pdftoppm', [
      '-r',
      String(dpi),
      '-f',
      String(page),
      '-l',
      String(page),
      '-png',
      '-singlefile',
      file,
      path.join(dir, 'p'),
    ]);
    return PNG.sync.read(readFileSync(path.join(dir, 'p.png')));
  });
}

/**
 * The share of pixels that differ by more than `threshold` (0–255) in any channel; a size
 * mismatch counts as everything different.
 */
export function pixelDiff(a: PNG, b: PNG, threshold = 48): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  let diff = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (
      Math.abs(a.data[i]! - b.data[i]!) > threshold ||
      Math.abs(a.data[i + 1]! - b.data[i + 1]!) > threshold ||
      Math.abs(a.data[i + 2]! - b.data[i + 2]!) > threshold
    ) {
      diff++;
    }
  }
  return diff / (a.width * a.height);
}
