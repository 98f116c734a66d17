/**
 * Tranzila: a hosted payment page link (`<direct>/<terminal>/iframenew.php?sum=…&currency=1…`)
 * and the check of a notify against Tranzila's transaction report API (POST
 * `<report>/v1/transaction`, signed with the API app key and secret:
 * access token = HMAC-SHA256(key = secret + request time + nonce, data = app key)).
 *
 * The notify POST Tranzila sends is not signed, so it is only a hint: we believe the transaction
 * the report API returns for its index, never the notify's own fields.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { agorotToDecimal } from './money';
import { ProviderError } from './provider-error';

export const TRANZILA_DIRECT_BASE = 'https://direct.tranzila.com';
export const TRANZILA_REPORT_BASE = 'https://report.tranzila.com';

export interface TranzilaCredentials {
  terminal: string;
  appKey: string;
  secret: string;
  directBase?: string;
  reportBase?: string;
}

export interface TranzilaLinkRequest {
  amountAgorot: number;
  description: string;
  /** Ours: echoed back in the notify as `al_token`. */
  token: string;
  contact?: string;
  notifyUrl?: string;
  successUrl?: string;
  failUrl?: string;
}

/** Terminal names are short latin names (e.g. "myshop" or "myshoptok"). */
export const TERMINAL_RE = /^[A-Za-z0-9_-]{2,40}$/;

export function tranzilaLink(
  c: Pick<TranzilaCredentials, 'terminal' | 'directBase'>,
  r: TranzilaLinkRequest,
): string {
  if (!TERMINAL_RE.test(c.terminal))
    throw new ProviderError('refused', 'the Tranzila terminal name is not valid');
  const url = new URL(
    `/${encodeURIComponent(c.terminal)}/iframenew.php`,
    c.directBase ?? TRANZILA_DIRECT_BASE,
  );
  const q = url.searchParams;
  q.set('sum', agorotToDecimal(r.amountAgorot));
  // 1 = ILS; 1 = a regular (single) charge; A = a debit.
  q.set('currency', '1');
  q.set('cred_type', '1');
  q.set('tranmode', 'A');
  q.set('lang', 'il');
  q.set('pdesc', r.description.slice(0, 120));
  if (r.contact) q.set('contact', r.contact.slice(0, 60));
  if (r.notifyUrl) q.set('notify_url_address', r.notifyUrl);
  if (r.successUrl) q.set('success_url_address', r.successUrl);
  if (r.failUrl) q.set('fail_url_address', r.failUrl);
  q.set('al_token', r.token);
  return url.toString();
}

/** HMAC-SHA256 keyed with secret + request time + nonce, over the app key (hex). */
export function tranzilaAccessToken(appKey: string, secret: string, time: string, nonce: string): string {
  return createHmac('sha256', secret + time + nonce)
    .update(appKey)
    .digest('hex');
}

/** The four headers every Tranzila API call carries. */
export function tranzilaAuthHeaders(appKey: string, secret: string, nowMs: number): Record<string, string> {
  const time = String(Math.floor(nowMs / 1000));
  const nonce = randomBytes(40).toString('hex');
  return {
    'X-tranzila-api-app-key': appKey,
    'X-tranzila-api-request-time': time,
    'X-tranzila-api-nonce': nonce,
    'X-tranzila-api-access-token': tranzilaAccessToken(appKey, secret, time, nonce),
  };
}

/** A transaction as the report API gives it, reduced to what we check. */
export interface TranzilaTransaction {
  index: string;
  /** Agorot (the report's smallest currency unit). */
  amountAgorot: number;
  /** Tranzila's currency code: 1 = ILS. */
  currency: string;
  responseCode: string;
  /** Our token, when the report echoes the custom field. */
  token: string | null;
}

/** The transaction with this index, or null when the report has none (yet). */
export async function fetchTranzilaTransaction(
  c: TranzilaCredentials,
  index: string,
  nowMs: number,
): Promise<TranzilaTransaction | null> {
  let res: Response;
  try {
    res = await fetch(new URL('/v1/transaction', c.reportBase ?? TRANZILA_REPORT_BASE), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...tranzilaAuthHeaders(c.appKey, c.secret, nowMs) },
      body: JSON.stringify({ terminal_name: c.terminal, transaction_index: Number(index), detailed: 'Y' }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new ProviderError('unreachable', 'Tranzila could not be reached');
  }
  if (res.status === 401 || res.status === 403)
    throw new ProviderError('auth', 'Tranzila refused the API keys', res.status);
  if (res.status >= 500)
    throw new ProviderError('unreachable', `Tranzila answered ${res.status}`, res.status);
  const data = (await res.json().catch(() => null)) as {
    error_code?: unknown;
    message?: unknown;
    transactions?: Array<Record<string, unknown>>;
  } | null;
  if (!data || res.status >= 400)
    throw new ProviderError('bad_answer', `Tranzila answered ${res.status}`, res.status);
  if (data.error_code !== undefined && Number(data.error_code) !== 0) {
    throw new ProviderError(
      'refused',
      `Tranzila report error ${String(data.error_code)}`,
      res.status,
      String(data.error_code),
    );
  }
  const t = (data.transactions ?? []).find((row) => String(row.index) === index);
  if (!t) return null;
  const amount = Number(t.amount);
  if (!Number.isSafeInteger(amount))
    throw new ProviderError('bad_answer', 'Tranzila transaction without an amount');
  return {
    index,
    amountAgorot: amount,
    currency: String(t.currency ?? ''),
    responseCode: String(t.processor_response_code ?? ''),
    token: typeof t.al_token === 'string' ? t.al_token : null,
  };
}
