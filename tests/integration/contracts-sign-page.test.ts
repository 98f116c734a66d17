/**
 * The remote signing page on the real public server (the contracts module's public routes): the
 * same page for a working and an unknown link, with the strict policy; the unknown link's
 * contract answers only "invalid"; nothing of the CRM (API, renderer, files) is reachable there.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGN_PAGE_CSP } from '../../src-main/contracts/sign-page';
import { startTestCore, type TestCore } from '../helpers/core';

const ROOT = path.resolve(__dirname, '../..');
const BUILT = existsSync(path.join(ROOT, 'out/sign/index.html'));
let t: TestCore | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function ok<T = any>(method: string, input?: unknown): Promise<T> {
  const r = await t!.api(method, input);
  if (r.status !== 200) throw new Error(`${method}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data as T;
}
const pub = (p: string, init?: RequestInit) => fetch(`${t!.publicUrl}${p}`, init);

describe('the signing page on the public server', () => {
  it('is one page for every link, under the strict policy; the CRM is not there', async () => {
    t = await startTestCore({ PUBLIC_HOST: 'sign.agentlocator.test' });
    const customer = await ok('crm.customers.create', { name: 'נועה לוי', phone: '054-5550102' });
    const templates = await ok<Array<{ id: number; name: string }>>('contracts.templates.list');
    const tpl = templates.find((x) => x.name === 'אישור הצעת מחיר')!;
    const draft = await ok('contracts.create', { customerId: customer.id, templateId: tpl.id });
    if (draft.missing.length)
      await ok('contracts.update', {
        id: draft.id,
        values: Object.fromEntries(draft.missing.map((m: string) => [m, '1'])),
      });
    const sent = await ok<{ link: string }>('contracts.send', { id: draft.id });
    const token = sent.link.split('/').pop()!;
    const unknown = 'Q'.repeat(43);

    const pages = await Promise.all([pub(`/sign/${token}`), pub(`/sign/${unknown}`), pub('/sign/x')]);
    const bodies = await Promise.all(pages.map((p) => p.text()));
    for (const p of pages) {
      expect(p.status).toBe(BUILT ? 200 : 503);
      expect(p.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(p.headers.get('content-security-policy')).toBe(SIGN_PAGE_CSP);
      expect(p.headers.get('cache-control')).toBe('no-store');
      expect(p.headers.get('referrer-policy')).toBe('no-referrer');
      expect(p.headers.get('x-frame-options')).toBe('DENY');
    }
    // The page tells nothing about the link: byte for byte the same.
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    if (BUILT) {
      const src = /src="(\/sign-assets\/[^"]+\.js)"/.exec(bodies[0]!)![1]!;
      const js = await pub(src);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-security-policy')).toBe(SIGN_PAGE_CSP);
    } else expect(bodies[0]).toContain('דף החתימה אינו זמין כרגע');

    // What the page then reads: only the reason.
    const bad = await pub(`/sign/${unknown}/contract`);
    expect(bad.status).toBe(404);
    expect(await bad.json()).toEqual({ ok: false, reason: 'invalid' });
    expect((await pub(`/sign/${token}/contract`)).status).toBe(200);

    // Nothing of the CRM: API (even with the token), renderer, its assets, files.
    const auth = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' };
    for (const m of ['contracts.get', 'contracts.signInOffice', 'system.info']) {
      const r = await pub(`/api/${m}`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ id: draft.id }),
      });
      expect(r.status, m).toBe(404);
    }
    const crmAssets = existsSync(path.join(ROOT, 'out/renderer/assets'))
      ? readdirSync(path.join(ROOT, 'out/renderer/assets'))
          .filter((f) => f.endsWith('.js'))
          .slice(0, 3)
      : ['index.js'];
    for (const p of [
      '/',
      '/index.html',
      '/?token=' + t.token,
      ...crmAssets.flatMap((f) => [
        `/assets/${f}`,
        `/sign-assets/${f}`,
        `/sign-assets/../renderer/assets/${f}`,
      ]),
      '/sign-assets/..%2F..%2Fpackage.json',
      '/files/x',
    ]) {
      expect((await pub(p)).status, p).toBe(404);
    }
  });
});
