/**
 * A loopback PayPal REST API speaking the real wire protocol the official server SDK uses:
 *   POST /v1/oauth2/token                          client credentials (Basic) → Bearer token
 *   POST /v2/checkout/orders                       create (PayPal-Request-Id idempotent)
 *   GET  /v2/checkout/orders/{id}                  show
 *   POST /v2/checkout/orders/{id}/capture          capture (422 ORDER_NOT_APPROVED / ORDER_ALREADY_CAPTURED)
 *   POST /v1/notifications/verify-webhook-signature
 *   GET  /checkoutnow?token={id}                   the payer's approval page: approves and redirects
 *                                                  to the order's return_url (like the real site)
 * Webhook signatures: `webhook(...)` signs an event the way this fake's verify endpoint checks it
 * (HMAC over transmission id, time, webhook id and the event body); anything else is FAILURE.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { closeServer, listenLoopback, readBody, sendJson } from './http';

export interface FakeOrder {
  id: string;
  status: 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED' | 'VOIDED';
  intent: string;
  purchase_units: Array<Record<string, any>>;
  returnUrl?: string;
  cancelUrl?: string;
  requestId?: string;
  create_time: string;
}

export interface FakePayPalRequest {
  method: string;
  path: string;
  authorization?: string;
  body?: unknown;
}

export interface FakePayPal {
  url: string;
  clientId: string;
  clientSecret: string;
  webhookId: string;
  orders: Map<string, FakeOrder>;
  requests: FakePayPalRequest[];
  tokensIssued(): number;
  /** The payer approves (as if they logged in and clicked pay). */
  approve(orderId: string): void;
  /** The next capture is declined by the processor (capture status DECLINED). */
  declineNextCapture(): void;
  /** Answer every call with this status until cleared (e.g. 503). */
  failWith(status: number | null): void;
  /** A signed webhook delivery for an order: headers and the exact body to POST. */
  webhook(
    type: 'CHECKOUT.ORDER.APPROVED' | 'PAYMENT.CAPTURE.COMPLETED' | 'PAYMENT.CAPTURE.DENIED',
    orderId: string,
    opts?: { eventId?: string; amountValue?: string },
  ): { headers: Record<string, string>; body: string; eventId: string };
  close(): Promise<void>;
}

const SIGNING_KEY = randomBytes(32);

function signature(transmissionId: string, time: string, webhookId: string, body: string): string {
  return createHmac('sha256', SIGNING_KEY)
    .update(`${transmissionId}|${time}|${webhookId}|${body}`)
    .digest('base64');
}

const newId = (n = 17) =>
  randomBytes(n)
    .toString('base64')
    .replace(/[^A-Z0-9]/gi, '')
    .toUpperCase()
    .slice(0, n)
    .padEnd(n, '7');

export async function startFakePayPal(
  opts: { clientId?: string; clientSecret?: string; webhookId?: string } = {},
): Promise<FakePayPal> {
  const clientId = opts.clientId ?? 'AfakeClientId';
  const clientSecret = opts.clientSecret ?? 'EfakeClientSecret';
  const webhookId = opts.webhookId ?? 'WH-1AB23456CD789012E';
  const orders = new Map<string, FakeOrder>();
  const byRequestId = new Map<string, string>();
  const tokens = new Set<string>();
  const requests: FakePayPalRequest[] = [];
  let issued = 0;
  let declineNext = false;
  let failStatus: number | null = null;
  let url = '';

  const orderJson = (o: FakeOrder) => ({
    id: o.id,
    intent: o.intent,
    status: o.status,
    payment_source: { paypal: {} },
    purchase_units: o.purchase_units,
    create_time: o.create_time,
    links: [
      { href: `${url}/v2/checkout/orders/${o.id}`, rel: 'self', method: 'GET' },
      ...(o.status === 'PAYER_ACTION_REQUIRED'
        ? [{ href: `${url}/checkoutnow?token=${o.id}`, rel: 'payer-action', method: 'GET' }]
        : []),
      ...(o.status === 'APPROVED'
        ? [{ href: `${url}/v2/checkout/orders/${o.id}/capture`, rel: 'capture', method: 'POST' }]
        : []),
    ],
  });

  const error = (name: string, issue: string, message: string) => ({
    name,
    message,
    debug_id: newId(13).toLowerCase(),
    details: [{ issue, description: message }],
  });

  const bearerOk = (req: IncomingMessage) => {
    const a = req.headers.authorization ?? '';
    return a.startsWith('Bearer ') && tokens.has(a.slice(7));
  };

  const server: Server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const raw = (await readBody(req)).toString('utf8');
    let body: unknown = undefined;
    if (raw && (req.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJson(res, 400, error('INVALID_REQUEST', 'MALFORMED_REQUEST_JSON', 'bad json'));
      }
    }
    requests.push({
      method: req.method ?? '',
      path: u.pathname,
      authorization: req.headers.authorization,
      body,
    });
    if (failStatus !== null && u.pathname !== '/checkoutnow') {
      return sendJson(
        res,
        failStatus,
        error('INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR', 'fake outage'),
      );
    }

    if (req.method === 'POST' && u.pathname === '/v1/oauth2/token') {
      const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      const form = new URLSearchParams(raw);
      if (req.headers.authorization !== expected) {
        return sendJson(res, 401, {
          error: 'invalid_client',
          error_description: 'Client Authentication failed',
        });
      }
      if (form.get('grant_type') !== 'client_credentials') {
        return sendJson(res, 400, {
          error: 'unsupported_grant_type',
          error_description: 'Grant Type is NULL',
        });
      }
      const token = `A21AA${randomBytes(24).toString('base64url')}`;
      tokens.add(token);
      issued++;
      return sendJson(res, 200, {
        scope: 'https://uri.paypal.com/services/payments/payment',
        access_token: token,
        token_type: 'Bearer',
        app_id: 'APP-80W284485P519543T',
        expires_in: 32400,
        nonce: `${new Date().toISOString()}${newId(8)}`,
      });
    }

    if (req.method === 'GET' && u.pathname === '/checkoutnow') {
      const o = orders.get(u.searchParams.get('token') ?? '');
      if (!o) return sendJson(res, 404, { error: 'no such order' });
      if (o.status === 'PAYER_ACTION_REQUIRED') o.status = 'APPROVED';
      const back = o.returnUrl ? new URL(o.returnUrl) : undefined;
      if (!back) {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<p>approved</p>');
      }
      back.searchParams.set('token', o.id);
      back.searchParams.set('PayerID', 'FAKEPAYER123');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }

    if (!bearerOk(req)) {
      return sendJson(res, 401, {
        name: 'AUTHENTICATION_FAILURE',
        message:
          'Authentication failed due to invalid authentication credentials or a missing Authorization header.',
        links: [],
      });
    }

    if (req.method === 'POST' && u.pathname === '/v2/checkout/orders') {
      const b = body as Record<string, any> | undefined;
      const unit = b?.purchase_units?.[0];
      const value = unit?.amount?.value;
      if (
        b?.intent !== 'CAPTURE' ||
        !Array.isArray(b.purchase_units) ||
        b.purchase_units.length !== 1 ||
        typeof value !== 'string' ||
        !/^\d{1,10}(\.\d{2})?$/.test(value) ||
        Number(value) <= 0
      ) {
        return sendJson(
          res,
          400,
          error('INVALID_REQUEST', 'INVALID_PARAMETER_VALUE', 'invalid order request'),
        );
      }
      if (unit.amount.currency_code !== 'ILS') {
        return sendJson(res, 422, error('UNPROCESSABLE_ENTITY', 'CURRENCY_NOT_SUPPORTED', 'currency'));
      }
      const rid = req.headers['paypal-request-id'];
      if (typeof rid === 'string' && byRequestId.has(rid)) {
        return sendJson(res, 200, orderJson(orders.get(byRequestId.get(rid)!)!));
      }
      const ctx = b.payment_source?.paypal?.experience_context ?? {};
      const o: FakeOrder = {
        id: newId(),
        status: 'PAYER_ACTION_REQUIRED',
        intent: 'CAPTURE',
        purchase_units: [
          {
            reference_id: unit.reference_id ?? 'default',
            amount: { currency_code: 'ILS', value },
            custom_id: unit.custom_id,
            description: unit.description,
            payee: { email_address: 'merchant@example.com', merchant_id: 'FAKEMERCHANT1' },
          },
        ],
        returnUrl: ctx.return_url,
        cancelUrl: ctx.cancel_url,
        requestId: typeof rid === 'string' ? rid : undefined,
        create_time: new Date().toISOString(),
      };
      orders.set(o.id, o);
      if (typeof rid === 'string') byRequestId.set(rid, o.id);
      return sendJson(res, 201, orderJson(o));
    }

    const m = /^\/v2\/checkout\/orders\/([A-Z0-9]+)(\/capture)?$/.exec(u.pathname);
    if (m) {
      const o = orders.get(m[1]!);
      if (!o)
        return sendJson(res, 404, error('RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', 'order not found'));
      if (req.method === 'GET' && !m[2]) return sendJson(res, 200, orderJson(o));
      if (req.method === 'POST' && m[2]) {
        if (o.status === 'COMPLETED') {
          return sendJson(
            res,
            422,
            error('UNPROCESSABLE_ENTITY', 'ORDER_ALREADY_CAPTURED', 'already captured'),
          );
        }
        if (o.status !== 'APPROVED') {
          return sendJson(
            res,
            422,
            error('UNPROCESSABLE_ENTITY', 'ORDER_NOT_APPROVED', 'payer has not approved'),
          );
        }
        const unit = o.purchase_units[0]!;
        const declined = declineNext;
        declineNext = false;
        o.status = 'COMPLETED';
        unit.payments = {
          captures: [
            {
              id: newId(),
              status: declined ? 'DECLINED' : 'COMPLETED',
              amount: unit.amount,
              final_capture: true,
              custom_id: unit.custom_id,
              seller_protection: { status: 'ELIGIBLE' },
              create_time: new Date().toISOString(),
              update_time: new Date().toISOString(),
            },
          ],
        };
        return sendJson(res, 201, orderJson(o));
      }
    }

    if (req.method === 'POST' && u.pathname === '/v1/notifications/verify-webhook-signature') {
      const b = body as Record<string, any> | undefined;
      const fields = [
        'auth_algo',
        'cert_url',
        'transmission_id',
        'transmission_sig',
        'transmission_time',
        'webhook_id',
      ];
      if (!b || fields.some((f) => typeof b[f] !== 'string') || typeof b.webhook_event !== 'object') {
        return sendJson(res, 400, error('VALIDATION_ERROR', 'MISSING_REQUIRED_PARAMETER', 'missing fields'));
      }
      const expected = signature(
        b.transmission_id,
        b.transmission_time,
        b.webhook_id,
        JSON.stringify(b.webhook_event),
      );
      const ok =
        b.webhook_id === webhookId && b.transmission_sig === expected && b.auth_algo === 'SHA256withRSA';
      return sendJson(res, 200, { verification_status: ok ? 'SUCCESS' : 'FAILURE' });
    }

    return sendJson(res, 404, error('RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', 'not found'));
  });

  url = await listenLoopback(server);

  return {
    url,
    clientId,
    clientSecret,
    webhookId,
    orders,
    requests,
    tokensIssued: () => issued,
    approve(orderId) {
      const o = orders.get(orderId);
      if (!o) throw new Error(`no order ${orderId}`);
      if (o.status === 'PAYER_ACTION_REQUIRED') o.status = 'APPROVED';
    },
    declineNextCapture() {
      declineNext = true;
    },
    failWith(status) {
      failStatus = status;
    },
    webhook(type, orderId, o = {}) {
      const order = orders.get(orderId);
      if (!order) throw new Error(`no order ${orderId}`);
      const unit = order.purchase_units[0]!;
      const capture = unit.payments?.captures?.[0];
      const eventId = o.eventId ?? `WH-${newId(8)}-${newId(8)}`;
      const resource =
        type === 'CHECKOUT.ORDER.APPROVED'
          ? { id: order.id, status: order.status, intent: 'CAPTURE', purchase_units: order.purchase_units }
          : {
              id: capture?.id ?? newId(),
              status: type === 'PAYMENT.CAPTURE.COMPLETED' ? 'COMPLETED' : 'DECLINED',
              amount: { currency_code: 'ILS', value: o.amountValue ?? unit.amount.value },
              final_capture: true,
              custom_id: unit.custom_id,
              supplementary_data: { related_ids: { order_id: order.id } },
            };
      const event = {
        id: eventId,
        event_version: '1.0',
        create_time: new Date().toISOString(),
        resource_type: type === 'CHECKOUT.ORDER.APPROVED' ? 'checkout-order' : 'capture',
        resource_version: '2.0',
        event_type: type,
        summary: `fake ${type}`,
        resource,
      };
      const body = JSON.stringify(event);
      const transmissionId = randomBytes(16).toString('hex');
      const time = new Date().toISOString();
      return {
        eventId,
        body,
        headers: {
          'content-type': 'application/json',
          'paypal-transmission-id': transmissionId,
          'paypal-transmission-time': time,
          'paypal-transmission-sig': signature(transmissionId, time, webhookId, body),
          'paypal-cert-url':
            'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77',
          'paypal-auth-algo': 'SHA256withRSA',
        },
      };
    },
    close: () => closeServer(server),
  };
}
