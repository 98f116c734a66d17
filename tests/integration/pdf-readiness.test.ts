/**
 * The PDF engine's start-up self-test reaches /readyz and system.info as `pdf: ok`, and a core
 * serves a stored document PDF through FileAccess at /files/<id> with the token.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDocumentPdf } from '../../src-main/pdf/document';
import { exampleInput } from '../../src-main/pdf/example';
import { startTestCore, type TestCore } from '../helpers/core';
import { pdfWords } from '../helpers/pdf';

describe('pdf readiness and files in a running core', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('reports the self-test as readiness pdf: ok', async () => {
    const ready = (await (await fetch(`${t.publicUrl}/readyz`)).json()) as Record<string, unknown>;
    expect(ready.pdf).toBe('ok');
    const info = await t.api('system.info');
    expect(info.body.data.readiness.pdf).toBe('ok');
  });

  it('serves a rendered PDF by its FileAccess id', async () => {
    const dir = path.join(t.dataDir, 'files', 'documents');
    mkdirSync(dir, { recursive: true });
    const pdf = await renderDocumentPdf(exampleInput('tax_invoice'), { copy: 'original' });
    writeFileSync(path.join(dir, 'tax_invoice-1001.pdf'), pdf);
    const f = t.core.files.issue('documents', 'tax_invoice-1001.pdf');
    const origin = new URL(t.localUrl).origin;
    expect((await fetch(`${origin}${f.path}`)).status).toBe(401);
    const res = await fetch(`${origin}${f.path}?token=${t.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const body = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(body).equals(Buffer.from(pdf))).toBe(true);
    expect(pdfWords(body)).toContain('חשבונית מס 1001');
  });
});
