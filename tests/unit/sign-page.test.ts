/**
 * The remote signing page's routes (contracts/sign-page.ts) on a bare Fastify with a built
 * bundle in a temporary folder: the same HTML for any token, the strict headers on every answer,
 * only the bundle's own file names served, every traversal refused.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGN_PAGE_CSP, signPageRoutes } from '../../src-main/contracts/sign-page';

const HTML =
  '<!doctype html><html><head><script type="module" src="/sign-assets/index-abc.js"></script></head></html>';
let app: FastifyInstance | undefined;
let root: string | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
});

/** out/ with the signing bundle next to a CRM renderer and a secret, as in the real tree. */
async function serve(opts: { built?: boolean } = {}) {
  root = mkdtempSync(path.join(os.tmpdir(), 'sign-page-'));
  const sign = path.join(root, 'out', 'sign');
  mkdirSync(sign, { recursive: true });
  mkdirSync(path.join(root, 'out', 'renderer', 'assets'), { recursive: true });
  mkdirSync(path.join(sign, 'nested.js'), { recursive: true });
  writeFileSync(path.join(root, 'out', 'renderer', 'assets', 'index-crm.js'), 'CRM');
  writeFileSync(path.join(root, 'out', 'renderer', 'index.html'), 'CRM HTML');
  writeFileSync(path.join(root, 'secret.js'), 'SECRET');
  if (opts.built !== false) {
    writeFileSync(path.join(sign, 'index.html'), HTML);
    writeFileSync(path.join(sign, 'index-abc.js'), 'console.log(1)');
    writeFileSync(path.join(sign, 'index-abc.css'), 'body{}');
    writeFileSync(path.join(sign, 'notes.txt'), 'not a served type');
  }
  app = Fastify();
  await app.register(async (scope) => {
    signPageRoutes(scope, sign);
    scope.get('/sign/:token/contract', async () => ({ ok: false, reason: 'invalid' }));
  });
  await app.ready();
  return app;
}

const expectStrictHeaders = (h: Record<string, unknown>) => {
  expect(h['content-security-policy']).toBe(SIGN_PAGE_CSP);
  expect(h['cache-control']).toBe('no-store');
  expect(h['referrer-policy']).toBe('no-referrer');
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['x-frame-options']).toBe('DENY');
};

describe('the remote signing page', () => {
  it('answers the same page for any token, with the strict policy', async () => {
    const a = await serve();
    expect(SIGN_PAGE_CSP).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    for (const token of ['A'.repeat(43), 'not-a-token', '%F0%9F%98%80', 'x'.repeat(100)]) {
      const r = await a.inject(`/sign/${token}`);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.body).toBe(HTML);
      expectStrictHeaders(r.headers);
    }
    // The JSON routes of the same scope carry the same headers.
    const json = await a.inject(`/sign/${'A'.repeat(43)}/contract`);
    expectStrictHeaders(json.headers);
  });

  it('serves the bundle’s own files by name, with their types', async () => {
    const a = await serve();
    const js = await a.inject('/sign-assets/index-abc.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log(1)');
    expectStrictHeaders(js.headers);
    const css = await a.inject('/sign-assets/index-abc.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('refuses traversal, other folders, the HTML itself, other types and folders', async () => {
    const a = await serve();
    for (const p of [
      '/sign-assets/../renderer/assets/index-crm.js',
      '/sign-assets/..%2Frenderer%2Fassets%2Findex-crm.js',
      '/sign-assets/%2e%2e%2f%2e%2e%2fsecret.js',
      '/sign-assets/..%5C..%5Csecret.js',
      '/sign-assets/%2e%2e',
      '/sign-assets/.index-abc.js',
      '/sign-assets/index-crm.js',
      '/sign-assets/index.html',
      '/sign-assets/notes.txt',
      '/sign-assets/nested.js',
      '/sign-assets/',
      '/sign-assets/index-abc.js%00.png',
      '/sign-assets/missing.js',
      '/assets/index-crm.js',
      '/index.html',
    ]) {
      const r = await a.inject(p);
      expect(r.statusCode, p).toBe(404);
      expect(r.body, p).not.toMatch(/CRM|SECRET/);
    }
  });

  it('without a build: a plain Hebrew page, the same policy, nothing else', async () => {
    const a = await serve({ built: false });
    const r = await a.inject(`/sign/${'A'.repeat(43)}`);
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('דף החתימה אינו זמין כרגע');
    expect(r.body).not.toMatch(/<script/);
    expectStrictHeaders(r.headers);
    expect((await a.inject('/sign-assets/index-abc.js')).statusCode).toBe(404);
  });
});
