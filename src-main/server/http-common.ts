import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyBaseLogger } from 'fastify';
import type { Logger } from '../platform/logger';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's X-Request-ID when it is a sane token, otherwise makes one. */
export function requestIdFrom(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE_ID.test(value) ? value : randomUUID();
}

/** Options both servers share: our logger, request ids logged as `request_id`, our own access log. */
export function baseServerOptions(log: Logger, bodyLimit: number) {
  return {
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFrom,
    bodyLimit,
    // Shutdown must not wait for a browser's idle keep-alive sockets.
    forceCloseConnections: true,
  };
}
