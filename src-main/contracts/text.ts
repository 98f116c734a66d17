/**
 * The parts of contracts both sides need, with no Node imports so the renderer and the public
 * signing page use the very same code as the server: the rendered text as blocks, and the
 * Israeli ID check digit.
 */

/** The rendered text as blocks for the signing page and the PDF. */
export type Block =
  { kind: 'h1' | 'h2'; text: string } | { kind: 'p'; runs: Array<{ text: string; bold: boolean }> };

export function toBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    const line = para.join(' ').trim();
    para = [];
    if (!line) return;
    const runs = line
      .split('**')
      .map((t, i) => ({ text: t, bold: i % 2 === 1 }))
      .filter((r) => r.text);
    blocks.push({ kind: 'p', runs });
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const h = /^(#{1,2})\s+(.*)$/.exec(line);
    if (h) {
      flush();
      blocks.push({ kind: h[1] === '#' ? 'h1' : 'h2', text: h[2]!.replace(/\*\*/g, '') });
    } else if (!line) flush();
    else para.push(line);
  }
  flush();
  return blocks;
}

const ISRAELI_ID = /^\d{5,9}$/;

/** Israeli ID check digit (ת.ז.), padded to 9 digits. */
export function validIsraeliId(raw: string): boolean {
  if (!ISRAELI_ID.test(raw)) return false;
  const id = raw.padStart(9, '0');
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(id[i]) * ((i % 2) + 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}
