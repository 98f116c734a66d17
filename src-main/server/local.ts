import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatch } from '../api/dispatcher';
import type { EventBus } from '../api/events';
import { serveFile, type FileAccess } from '../platform/files';
import type { Logger } from '../platform/logger';
import { localServerCsp } from './csp';
import { baseServerOptions } from './http-common';

export interface LocalServerOptions {
  logger: Logger;
  dispatch: Dispatch;
  bus: EventBus;
  /** Per-launch secret: every API call and the events socket must carry it. */
  token: string;
  /** The built renderer; absent in API-only tests. */
  rendererDir?: string;
  /** Feature WebSockets under /api/ (test call, listen-in): token and Host checked here. */
  websockets?: LocalWsRoute[];
  /** `GET /files/<id>` (token in the header or `?token=`, for <iframe>/<audio> sources). */
  files?: FileAccess;
}

/** A WebSocket endpoint on the local server only (never the public one). */
export interface LocalWsRoute {
  /** Whether this route serves the path (e.g. `/api/listen/<callSid>`). */
  match(pathname: string): boolean;
  onConnection(ws: WebSocket, url: URL): void;
}

function tokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7);
  const alt = req.headers['x-agentlocator-token'];
  return Array.isArray(alt) ? alt[0] : alt;
}

/** Only names the machine itself uses, so a web page elsewhere cannot rebind a DNS name to us. */
function hostAllowed(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/**
 * A browser always sends `Origin` on a cross-origin POST and on every WebSocket handshake, so a
 * page elsewhere is told apart by it; non-browser clients (scripts, tests with the token) send
 * none. `null` (sandboxed frames, file: pages) is foreign.
 */
function originAllowed(req: IncomingMessage, port: number | undefined): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (port === undefined) return false;
  return (
    origin === `http://127.0.0.1:${port}` ||
    origin === `http://localhost:${port}` ||
    origin === `http://[::1]:${port}`
  );
}

const UNAUTHORIZED = { error: 'unauthorized', code: 'unauthorized', message: 'missing or wrong token' };
const FOREIGN_ORIGIN = { error: 'forbidden', code: 'forbidden', message: 'foreign origin' };

/**
 * Browser mode's second listener, bound to 127.0.0.1 only: the built renderer, the typed
 * API over HTTP (`POST /api/<method>`) and the live events over `/api/events`.
 */
export async function createLocalServer(opts: LocalServerOptions): Promise<FastifyInstance> {
  const log = opts.logger.child({ module: 'local-http' });
  const app = Fastify({
    ...baseServerOptions(log, 16 * 1024 * 1024),
  });

  const port = () => (app.server.address() as AddressInfo | null)?.port;

  // Before any body is read: Host, then Origin, then the token. A refused request's body is
  // never parsed or buffered (bodies up to 16 MB are for the token holder only); the
  // connection is closed after the answer so the rest of the body is not waited for.
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // Nothing here may be framed (clickjacking): the renderer's policy as a header, since a
    // <meta> CSP cannot carry frame-ancestors; the page's own meta CSP applies as well.
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', localServerCsp(port() ?? 0));
    const refuse = (code: number, body: object) => reply.code(code).header('connection', 'close').send(body);
    if (!hostAllowed(req.raw)) return refuse(403, { error: 'forbidden', message: 'bad host' });
    const reading = req.method === 'GET' || req.method === 'HEAD';
    if (!reading && !originAllowed(req.raw, port())) return refuse(403, FOREIGN_ORIGIN);
    const path = req.url.split('?')[0]!;
    // A file URL sits in an <iframe>/<audio> src, which cannot send a header: ?token= too.
    const isFile = path.startsWith('/files/');
    const given =
      bearer(req.raw) ??
      (isFile ? (new URL(req.url, 'http://x').searchParams.get('token') ?? undefined) : undefined);
    if ((!reading || path.startsWith('/api/') || isFile) && !tokenMatches(opts.token, given)) {
      return refuse(401, UNAUTHORIZED);
    }
  });

  app.post<{ Params: { method: string } }>('/api/:method', async (req, reply) => {
    const res = await opts.dispatch(req.params.method, req.body, {
      transport: 'http',
      requestId: String(req.id),
    });
    if (res.ok) return reply.code(200).send({ data: res.data });
    return reply.code(res.status).send(res.error);
  });
  app.all('/api/*', async (_req, reply) =>
    reply.code(404).send({ error: 'not_found', code: 'not_found', message: 'unknown API path' }),
  );

  const files = opts.files;
  if (files) {
    app.get<{ Params: { id: string } }>('/files/:id', async (req, reply) => {
      const res = serveFile(files, req.params.id, { method: req.method, range: req.headers.range });
      // The renderer may show a PDF in a same-origin frame; nothing else may frame it.
      reply.code(res.status).headers(res.headers);
      reply
        .header('x-frame-options', 'SAMEORIGIN')
        .header('content-security-policy', "frame-ancestors 'self'");
      return reply.send(res.body ?? res.text ?? '');
    });
  }

  if (opts.rendererDir && existsSync(opts.rendererDir)) {
    await app.register(fastifyStatic, { root: opts.rendererDir, index: ['index.html'] });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('AgentLocator API is running; the renderer is not built (npm run build).'),
    );
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  app.server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const route =
      url.pathname === '/api/events' ? undefined : opts.websockets?.find((r) => r.match(url.pathname));
    if (!originAllowed(req, port())) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (
      (url.pathname !== '/api/events' && !route) ||
      !hostAllowed(req) ||
      !tokenMatches(opts.token, url.searchParams.get('token') ?? undefined)
    ) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (route) {
      wss.handleUpgrade(req, socket, head, (ws) => route.onConnection(ws, url));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const unsubscribe = opts.bus.subscribe((msg) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
      });
      ws.on('close', unsubscribe);
      ws.on('error', unsubscribe);
    });
  });
  app.addHook('preClose', async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  });
  return app;
}
