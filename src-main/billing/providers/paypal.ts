/**
 * PayPal behind one small port, on PayPal's official server SDK (Orders v2): OAuth2 client
 * credentials, create order → approval link, get, capture; plus the webhook check through
 * PayPal's own verify-webhook-signature API (the SDK has no notifications controller, so that one
 * call is a plain fetch with the SDK's token). The SDK is loaded on first use.
 *
 * `apiBase` (PAYPAL_API_BASE) sends every request to another origin — the local fake in tests —
 * through the SDK's HTTP client (axios' fetch adapter with a fetch that swaps the origin).
 */
import type * as PayPalSdk from '@paypal/paypal-server-sdk';
import { agorotToDecimal, decimalToAgorot } from './money';
import { ProviderError } from './provider-error';

export const PAYPAL_SANDBOX_BASE = 'https://api-m.sandbox.paypal.com';
export const PAYPAL_LIVE_BASE = 'https://api-m.paypal.com';

export interface PayPalCredentials {
  clientId: string;
  clientSecret: string;
  sandbox: boolean;
  /** Overrides the sandbox/live origin (tests: the fake). */
  apiBase?: string;
}

export interface PayPalOrderRequest {
  amountAgorot: number;
  description: string;
  /** Ours: `document-<id>` / `customer-<id>`. */
  referenceId: string;
  /** Ours: the checkout's token, echoed back on the capture. */
  customId: string;
  brandName: string;
  returnUrl?: string;
  cancelUrl?: string;
  /** Idempotency key (PayPal-Request-Id). */
  requestId: string;
}

/** What we keep of an order. */
export interface PayPalOrderSummary {
  id: string;
  status: string;
  approvalUrl: string | null;
  customId: string | null;
  /** The first capture, once there is one. */
  capture: { id: string; status: string; amountAgorot: number | null; currency: string | null } | null;
}

export interface PayPalWebhookHeaders {
  transmissionId: string;
  transmissionTime: string;
  transmissionSig: string;
  certUrl: string;
  authAlgo: string;
}

const TIMEOUT_MS = 15_000;

type Sdk = typeof PayPalSdk;
let sdkPromise: Promise<Sdk> | undefined;
const loadSdk = () => (sdkPromise ??= import('@paypal/paypal-server-sdk'));

/** A fetch that sends the SDK's request to `base` instead of PayPal's origin. */
function fetchVia(base: string): typeof fetch {
  return async (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const from = new URL(req.url);
    const to = new URL(from.pathname + from.search, base);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    return fetch(to, {
      method: req.method,
      headers: req.headers,
      body: hasBody ? await req.arrayBuffer() : undefined,
      signal: init?.signal ?? req.signal,
      redirect: 'manual',
    });
  };
}

interface ClientEntry {
  key: string;
  client: PayPalSdk.Client;
  orders: PayPalSdk.OrdersController;
  token?: PayPalSdk.OAuthToken;
}

export class PayPalGateway {
  private entry?: ClientEntry;

  /** One SDK client per key set: a rotated key makes a new one (and a new token). */
  private async clientFor(c: PayPalCredentials): Promise<ClientEntry> {
    const key = `${c.clientId}\u0000${c.clientSecret}\u0000${c.sandbox}\u0000${c.apiBase ?? ''}`;
    if (this.entry?.key === key) return this.entry;
    const sdk = await loadSdk();
    const entry = { key } as ClientEntry;
    entry.client = new sdk.Client({
      environment: c.sandbox ? sdk.Environment.Sandbox : sdk.Environment.Production,
      timeout: TIMEOUT_MS,
      clientCredentialsAuthCredentials: {
        oAuthClientId: c.clientId,
        oAuthClientSecret: c.clientSecret,
        oAuthTokenProvider: async (_last, manager) => {
          if (entry.token && !manager.isExpired(entry.token)) return entry.token;
          entry.token = await manager.fetchToken();
          return entry.token;
        },
      },
      httpClientOptions: { timeout: TIMEOUT_MS, retryConfig: { maxNumberOfRetries: 0 } },
      ...(c.apiBase
        ? { unstable_httpClientOptions: { adapter: 'fetch', env: { fetch: fetchVia(c.apiBase) } } }
        : {}),
    });
    entry.orders = new sdk.OrdersController(entry.client);
    this.entry = entry;
    return entry;
  }

  async createOrder(c: PayPalCredentials, o: PayPalOrderRequest): Promise<PayPalOrderSummary> {
    const { orders } = await this.clientFor(c);
    const sdk = await loadSdk();
    const res = await call(() =>
      orders.createOrder({
        paypalRequestId: o.requestId,
        prefer: 'return=representation',
        body: {
          intent: sdk.CheckoutPaymentIntent.Capture,
          purchaseUnits: [
            {
              referenceId: o.referenceId,
              customId: o.customId,
              description: o.description.slice(0, 127),
              amount: { currencyCode: 'ILS', value: agorotToDecimal(o.amountAgorot) },
            },
          ],
          paymentSource: {
            paypal: {
              experienceContext: {
                brandName: o.brandName.slice(0, 127) || undefined,
                locale: 'he-IL',
                shippingPreference: sdk.PaypalWalletContextShippingPreference.NoShipping,
                userAction: sdk.PaypalExperienceUserAction.PayNow,
                returnUrl: o.returnUrl,
                cancelUrl: o.cancelUrl,
              },
            },
          },
        },
      }),
    );
    const summary = summarize(res.result);
    if (!summary.approvalUrl) throw new ProviderError('bad_answer', 'PayPal gave no approval link');
    return summary;
  }

  async getOrder(c: PayPalCredentials, id: string): Promise<PayPalOrderSummary> {
    const { orders } = await this.clientFor(c);
    return summarize((await call(() => orders.getOrder({ id }))).result);
  }

  /** Captures an approved order; an order already captured answers its capture. */
  async captureOrder(c: PayPalCredentials, id: string, requestId: string): Promise<PayPalOrderSummary> {
    const { orders } = await this.clientFor(c);
    try {
      const res = await call(() =>
        orders.captureOrder({ id, paypalRequestId: requestId, prefer: 'return=representation' }),
      );
      return summarize(res.result);
    } catch (err) {
      if (err instanceof ProviderError && err.issue === 'ORDER_ALREADY_CAPTURED') return this.getOrder(c, id);
      throw err;
    }
  }

  /**
   * PayPal's own check of a webhook delivery (POST /v1/notifications/verify-webhook-signature).
   * `rawEvent` is the body exactly as received, embedded as-is so no re-serialization changes it.
   */
  async verifyWebhook(
    c: PayPalCredentials,
    webhookId: string,
    h: PayPalWebhookHeaders,
    rawEvent: string,
  ): Promise<boolean> {
    const entry = await this.clientFor(c);
    const token = await call(async () => {
      if (entry.token && !entry.client.clientCredentialsAuthManager.isExpired(entry.token))
        return entry.token;
      entry.token = await entry.client.clientCredentialsAuthManager.fetchToken();
      return entry.token;
    });
    const base = c.apiBase ?? (c.sandbox ? PAYPAL_SANDBOX_BASE : PAYPAL_LIVE_BASE);
    const head = JSON.stringify({
      auth_algo: h.authAlgo,
      cert_url: h.certUrl,
      transmission_id: h.transmissionId,
      transmission_sig: h.transmissionSig,
      transmission_time: h.transmissionTime,
      webhook_id: webhookId,
    });
    const body = `${head.slice(0, -1)},"webhook_event":${rawEvent}}`;
    let res: Response;
    try {
      res = await fetch(new URL('/v1/notifications/verify-webhook-signature', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.accessToken}` },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new ProviderError('unreachable', 'PayPal could not be reached to verify the webhook');
    }
    if (res.status === 401 || res.status === 403) {
      entry.token = undefined;
      throw new ProviderError('auth', 'PayPal refused the keys', res.status);
    }
    if (res.status >= 500)
      throw new ProviderError('unreachable', `PayPal answered ${res.status}`, res.status);
    const json = (await res.json().catch(() => null)) as { verification_status?: unknown } | null;
    if (res.status >= 400) return false;
    return json?.verification_status === 'SUCCESS';
  }
}

/** Runs one SDK call and turns every failure into a ProviderError (no request, no key inside). */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toProviderError(err);
  }
}

function toProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as {
    statusCode?: unknown;
    result?: unknown;
    body?: unknown;
    name?: string;
    message?: string;
  };
  if (typeof e?.statusCode === 'number') {
    const status = e.statusCode;
    let result = e.result as { name?: string; details?: Array<{ issue?: string }> } | undefined;
    if (!result && typeof e.body === 'string') {
      try {
        result = JSON.parse(e.body) as typeof result;
      } catch {
        result = undefined;
      }
    }
    const issue = result?.details?.[0]?.issue ?? result?.name;
    if (status === 401 || status === 403)
      return new ProviderError('auth', 'PayPal refused the keys', status, issue);
    if (status >= 500) return new ProviderError('unreachable', `PayPal answered ${status}`, status, issue);
    return new ProviderError(
      'refused',
      `PayPal refused the request (${status}${issue ? ` ${issue}` : ''})`,
      status,
      issue,
    );
  }
  if (e?.name === 'ResponseValidationError')
    return new ProviderError('bad_answer', 'PayPal answer not understood');
  return new ProviderError('unreachable', 'PayPal could not be reached');
}

function summarize(order: PayPalSdk.Order | undefined): PayPalOrderSummary {
  if (!order?.id || !order.status) throw new ProviderError('bad_answer', 'PayPal answered without an order');
  const link =
    order.links?.find((l) => l.rel === 'payer-action') ?? order.links?.find((l) => l.rel === 'approve');
  const unit = order.purchaseUnits?.[0];
  const cap = unit?.payments?.captures?.[0];
  return {
    id: order.id,
    status: order.status,
    approvalUrl: link?.href ?? null,
    customId: unit?.customId ?? null,
    capture: cap?.id
      ? {
          id: cap.id,
          status: cap.status ?? '',
          amountAgorot: decimalToAgorot(cap.amount?.value),
          currency: cap.amount?.currencyCode ?? null,
        }
      : null,
  };
}
