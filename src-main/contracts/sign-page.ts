/**
 * The remote signing page on the public server. It is its own small bundle (vite.sign.config.ts
 * builds src-renderer/sign-public into out/sign); the CRM renderer's files are never served here.
 *   GET /sign/<token>          the page: the same HTML for every token (it asks
 *                              /sign/<token>/contract itself and shows the reason when there is none)
 *   GET /sign-assets/<name>    one file of that bundle, by its exact built name
 * Every answer under /sign carries a strict policy: no inline script or style, nothing from
 * elsewhere, never framed, never cached, no referrer (the link is the signer's key).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { signingHe } from '../../src-renderer/i18n/he';

export const SIGN_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where the page's files are served from (the bundle's `base`, vite.sign.config.ts). */
export const SIGN_ASSETS_PREFIX = '/sign-assets/';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
/** A built file's name: one path segment, no dot first, a served type. */
const ASSET_NAME = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
  .refine((n) => path.extname(n) in TYPES);

/** Shown when the bundle is missing (a build or packaging fault): plain, with the same policy. */
const NOT_BUILT = `<!doctype html><html dir="rtl" lang="he"><head><meta charset="utf-8"><title>${signingHe.pageTitle}</title></head><body><p>${signingHe.notBuilt}</p></body></html>`;

function secure(reply: FastifyReply): void {
  reply.header('content-security-policy', SIGN_PAGE_CSP);
  reply.header('cache-control', 'no-store');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('x-robots-tag', 'noindex');
}

/**
 * Registers the page and its files in `scope`, and the headers above on every answer of that
 * scope (the contract's JSON routes share it). `dir` is the built bundle (out/sign).
 */
export function signPageRoutes(scope: FastifyInstance, dir: string): void {
  scope.addHook('onSend', async (_req, reply) => secure(reply));

  scope.get('/sign/:token', async (_req, reply) => {
    let html: string;
    try {
      html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    } catch {
      return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    }
    return reply.type('text/html; charset=utf-8').send(html);
  });

  scope.get(`${SIGN_ASSETS_PREFIX}:name`, async (req, reply) => {
    const notFound = () => reply.code(404).type('text/plain').send('not found');
    const name = ASSET_NAME.safeParse((req.params as { name?: unknown }).name);
    if (!name.success) return notFound();
    // Only a name the build wrote into that one folder: nothing is resolved from the request.
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return notFound();
    }
    if (!names.includes(name.data)) return notFound();
    const file = path.join(dir, name.data);
    if (!statSync(file).isFile()) return notFound();
    return reply.type(TYPES[path.extname(name.data)]!).send(readFileSync(file));
  });
}
