import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatch } from '../api/dispatcher';
import type { EventBus } from '../api/events';
import type { Logger } from '../platform/logger';
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
 * Browser mode's second listener, bound to 127.0.0.1 only: the built renderer, the typed
 * API over HTTP (`POST /api/<method>`) and the live events over `/api/events`.
 */
export async function createLocalServer(opts: LocalServerOptions): Promise<FastifyInstance> {
  const log = opts.logger.child({ module: 'local-http' });
  const app = Fastify({
    ...baseServerOptions(log, 16 * 1024 * 1024),
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (!hostAllowed(req.raw)) return reply.code(403).send({ error: 'forbidden', message: 'bad host' });
  });

  app.post<{ Params: { method: string } }>('/api/:method', async (req, reply) => {
    if (!tokenMatches(opts.token, bearer(req.raw))) {
      return reply
        .code(401)
        .send({ error: 'unauthorized', code: 'unauthorized', message: 'missing or wrong token' });
    }
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
