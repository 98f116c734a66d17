/**
 * What to do when the Baileys socket closes: a pure function of the disconnect code (Baileys'
 * `DisconnectReason`, read from `lastDisconnect.error.output.statusCode`), the number of failed
 * attempts so far and a random number (jitter). No timers, no I/O: the provider acts on it.
 *
 *  515 restartRequired (after pairing, and on stream restarts) → reconnect at once
 *  408 timedOut/connectionLost, 428 connectionClosed, 5xx (500 badSession, 503 …), no code
 *      (network error, DNS, TLS) → capped exponential backoff with jitter
 *  440 connectionReplaced → stop: the session was opened elsewhere; the owner decides
 *  401 loggedOut, 403 forbidden, 411 multideviceMismatch → wipe the auth state, pair again (QR)
 */

/** Baileys' DisconnectReason values (the same numbers as the package's enum). */
export const DISCONNECT = {
  loggedOut: 401,
  forbidden: 403,
  timedOut: 408,
  multideviceMismatch: 411,
  connectionClosed: 428,
  connectionReplaced: 440,
  badSession: 500,
  unavailableService: 503,
  restartRequired: 515,
} as const;

export type ReconnectDecision =
  | { action: 'reconnect_now'; reason: string }
  | { action: 'backoff'; reason: string; delayMs: number }
  | { action: 'stop_replaced'; reason: 'connection_replaced' }
  | { action: 'logged_out'; reason: string };

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000 };

/** The Boom-shaped status code of `lastDisconnect.error`, if any. */
export function disconnectCode(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const output = (error as { output?: { statusCode?: unknown } }).output;
  const code = output?.statusCode;
  return typeof code === 'number' && Number.isFinite(code) ? code : undefined;
}

/** A name for logs and the status `reason` (never shown raw to the owner). */
export function disconnectReasonName(code: number | undefined): string {
  switch (code) {
    case undefined:
      return 'network';
    case DISCONNECT.loggedOut:
      return 'logged_out';
    case DISCONNECT.forbidden:
      return 'forbidden';
    case DISCONNECT.timedOut:
      return 'timed_out';
    case DISCONNECT.multideviceMismatch:
      return 'multidevice_mismatch';
    case DISCONNECT.connectionClosed:
      return 'connection_closed';
    case DISCONNECT.connectionReplaced:
      return 'connection_replaced';
    case DISCONNECT.badSession:
      return 'bad_session';
    case DISCONNECT.unavailableService:
      return 'unavailable_service';
    case DISCONNECT.restartRequired:
      return 'restart_required';
    default:
      return `code_${code}`;
  }
}

/**
 * Delay before attempt number `attempt` (0 = first retry): min(max, base·2^attempt), with
 * "equal jitter" — half fixed, half random — so many clients do not retry in lockstep and the
 * delay never collapses to zero.
 */
export function backoffDelay(
  attempt: number,
  random: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const a = Math.max(0, Math.floor(attempt));
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(a, 30));
  const r = Math.min(1, Math.max(0, random));
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

export function decideReconnect(
  code: number | undefined,
  attempt: number,
  random: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): ReconnectDecision {
  const reason = disconnectReasonName(code);
  switch (code) {
    case DISCONNECT.restartRequired:
      return { action: 'reconnect_now', reason };
    case DISCONNECT.connectionReplaced:
      return { action: 'stop_replaced', reason: 'connection_replaced' };
    case DISCONNECT.loggedOut:
    case DISCONNECT.forbidden:
    case DISCONNECT.multideviceMismatch:
      return { action: 'logged_out', reason };
    default:
      // 408, 428, 5xx, no code (network), and anything unknown: recoverable, try again later.
      return { action: 'backoff', reason, delayMs: backoffDelay(attempt, random, opts) };
  }
}
