/**
 * Draws the app icon (a white ring and dot on a rounded blue square) at any size:
 * build/icon.png 1024 px for the installers (macOS needs ≥ 512), resources/icons/icon.png 256 px
 * for the window and the tray. `npx tsx scripts/make-icon.ts` rewrites both.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

const BLUE = [31, 111, 235] as const;
// Geometry in units of a 256 px icon.
const CORNER = 44;
const RING_OUT = 77;
const RING_IN = 58;
const DOT = 29.5;

function coverage(x: number, y: number): { inside: boolean; white: boolean } {
  const c = 128;
  const dx = Math.max(CORNER - x, 0, x - (256 - CORNER));
  const dy = Math.max(CORNER - y, 0, y - (256 - CORNER));
  const inside = dx * dx + dy * dy <= CORNER * CORNER;
  const r = Math.hypot(x - c, y - c);
  return { inside, white: (r <= RING_OUT && r >= RING_IN) || r <= DOT };
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export function iconPng(size: number): Buffer {
  const ss = 4; // samples per axis, for smooth edges
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0;
    for (let x = 0; x < size; x++) {
      let a = 0;
      let w = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const u = ((x + (sx + 0.5) / ss) * 256) / size;
          const v = ((y + (sy + 0.5) / ss) * 256) / size;
          const p = coverage(u, v);
          if (p.inside) {
            a++;
            if (p.white) w++;
          }
        }
      }
      const o = row + 1 + x * 4;
      const t = a ? w / a : 0;
      for (let i = 0; i < 3; i++) raw[o + i] = Math.round(BLUE[i]! * (1 - t) + 255 * t);
      raw[o + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = path.join(import.meta.dirname, '..');
  writeFileSync(path.join(root, 'build', 'icon.png'), iconPng(1024));
  writeFileSync(path.join(root, 'resources', 'icons', 'icon.png'), iconPng(256));
}
