import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Readiness, VersionInfo } from '../api/contract/system';
import type { Logger } from '../platform/logger';
import { baseServerOptions } from './http-common';

/** A WebSocket endpoint on the public server, e.g. /ws/twilio-media. */
export interface WsRoute {
  path: string;
  /** Checked before the upgrade; false → 403 and the socket is closed. */
  verifyUpgrade?(req: IncomingMessage): boolean;
  onConnection(ws: WebSocket, req: IncomingMessage): void;
}

/** What a feature module contributes to the public server. */
export interface PublicModule {
  name: string;
  routes?(app: FastifyInstance): void | Promise<void>;
  websockets?: WsRoute[];
  /**
   * The TwiML that still handles the caller when one of this module's webhooks failed outside
   * its own error handling (a preHandler, a plugin); undefined = not this module's path.
   */
  webhookFallback?(path: string): string | undefined;
}

export interface PublicServerOptions {
  logger: Logger;
  version: VersionInfo;
  readiness: () => Promise<Readiness>;
  webhookRateLimitPerMin: number;
  publicRateLimitPerMin: number;
  /** Whether a peer's X-Forwarded-For is believed (`proxyTrust` in trust-proxy.ts). */
  trustProxy: (address: string, hop: number) => boolean;
  modules: PublicModule[];
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
export const WS_MAX_PAYLOAD = 64 * 1024;

/**
 * The only listener behind the tunnel: health, version, webhooks, the media WebSocket and
 * remote signing. Anything else answers 404; the CRM API is not here.
 */
export async function createPublicServer(opts: PublicServerOptions): Promise<FastifyInstance> {
  const log = opts.logger.child({ module: 'public-http' });
  const app = Fastify({
    ...baseServerOptions(log, 1024 * 1024),
    // X-Forwarded-For is believed only from a configured proxy or the app's own tunnel; any
    // other sender could pick its own address and dodge the per-address rate limits.
    trustProxy: opts.trustProxy,
    return503OnClosing: false,
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        url: req.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  await app.register(formbody, { bodyLimit: 256 * 1024 });
  await app.register(rateLimit, {
    global: true,
    max: (req) =>
      req.url.startsWith('/webhook/') ? opts.webhookRateLimitPerMin : opts.publicRateLimitPerMin,
    keyGenerator: (req) => `${req.url.startsWith('/webhook/') ? 'wh' : 'pub'}:${req.ip}`,
    timeWindow: 60_000,
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status < 500) {
      return reply
        .code(status)
        .send({ error: status === 429 ? 'rate_limited' : 'bad_request', message: err.message });
    }
    req.log.error({ err, request_id: req.id }, 'public handler failed');
    // Webhooks never answer 5xx: Twilio gets the owning module's fallback TwiML (the caller is
    // still handled, e.g. sent to the voice message), else valid empty TwiML.
    if (req.url.startsWith('/webhook/')) {
      const path = req.url.split('?')[0]!;
      let twiml: string | undefined;
      for (const m of opts.modules) {
        try {
          twiml ??= m.webhookFallback?.(path);
        } catch (fallbackErr) {
          req.log.error({ err: fallbackErr }, 'webhook fallback failed');
        }
      }
      return reply
        .code(200)
        .type('text/xml')
        .send(twiml ?? EMPTY_TWIML);
    }
    return reply.code(500).send({ error: 'internal' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).type('text/plain').send('not found'));

  app.get('/health', async (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/healthz', async (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/version', async () => opts.version);
  app.get('/readyz', async (req) => {
    try {
      return await opts.readiness();
    } catch (err) {
      req.log.error({ err }, 'readiness failed');
      const fail = 'fail' as const;
      return {
        db: fail,
        openai: fail,
        tts: fail,
        whatsapp: fail,
        tunnel: fail,
        payments: { paypal: fail, tranzila: fail },
      };
    }
  });

  for (const mod of opts.modules) await mod.routes?.(app);

  const wsRoutes = new Map<string, WsRoute>();
  for (const mod of opts.modules) for (const r of mod.websockets ?? []) wsRoutes.set(r.path, r);
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const route = wsRoutes.get(pathname);
    const refuse = (code: number, text: string) => {
      socket.end(`HTTP/1.1 ${code} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!route) return refuse(404, 'Not Found');
    try {
      if (route.verifyUpgrade && !route.verifyUpgrade(req)) {
        log.warn({ path: pathname }, 'websocket upgrade refused');
        return refuse(403, 'Forbidden');
      }
      wss.handleUpgrade(req, socket, head, (ws) => route.onConnection(ws, req));
    } catch (err) {
      log.error({ err, path: pathname }, 'websocket upgrade failed');
      refuse(400, 'Bad Request');
    }
  });
  app.addHook('preClose', async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });

  return app;
}
