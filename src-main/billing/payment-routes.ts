/**
 * The public routes of online payments (behind the tunnel):
 *   POST /webhook/paypal            PayPal webhook (raw JSON, verified with PayPal)
 *   POST /webhook/tranzila/notify   Tranzila notify (form-encoded, checked with the report API)
 *   GET  /pay/paypal/return|cancel  where PayPal sends the payer back (the order is captured)
 *   GET  /pay/tranzila/done         where Tranzila sends the payer back
 * Each checks its business flag (off → 403) and its keys (none → 501 payments_not_configured),
 * and never answers another 5xx: an unexpected failure is 409, so the provider delivers again.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../platform/logger';
import type { OnlinePayments } from './providers/service';

const PAGE_TEXT = {
  paid: { title: 'התשלום התקבל', body: 'תודה! התשלום התקבל. אפשר לסגור את החלון.' },
  pending: { title: 'התשלום בבדיקה', body: 'התשלום עדיין בבדיקה אצל ספק התשלומים. נעדכן את העסק כשיאושר.' },
  failed: { title: 'התשלום לא הושלם', body: 'התשלום לא הושלם. אפשר לנסות שוב מהקישור שקיבלתם.' },
  cancelled: { title: 'התשלום בוטל', body: 'ביטלתם את התשלום. אפשר לחזור לקישור ולשלם מתי שתרצו.' },
  unknown: { title: 'הקישור לא נמצא', body: 'לא מצאנו את התשלום הזה. בדקו את הקישור שקיבלתם.' },
  off: { title: 'תשלום מקוון לא פעיל', body: 'העסק לא מקבל כרגע תשלומים בדרך הזו.' },
  later: { title: 'לא הצלחנו לבדוק את התשלום', body: 'נסו לרענן את הדף בעוד רגע.' },
} as const;
type Page = keyof typeof PAGE_TEXT;

function page(reply: FastifyReply, status: number, which: Page) {
  const t = PAGE_TEXT[which];
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="he" dir="rtl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${t.title}</title>` +
        `<style>body{font-family:system-ui,sans-serif;background:#f6f7f9;color:#1f2933;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0}main{background:#fff;border-radius:12px;padding:32px 40px;box-shadow:0 2px 12px rgba(0,0,0,.08);max-width:420px;text-align:center}h1{font-size:22px;margin:0 0 12px}</style>` +
        `</head><body><main><h1>${t.title}</h1><p>${t.body}</p></main></body></html>`,
    );
}

const ORDER_ID = /^[A-Za-z0-9-]{1,64}$/;

export async function registerPaymentRoutes(
  app: FastifyInstance,
  payments: OnlinePayments,
  logger: Logger,
): Promise<void> {
  const log = logger.child({ module: 'payment-routes' });
  await app.register(async (scope) => {
    // The PayPal event is verified as received: keep the raw text (this scope only).
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: 256 * 1024 },
      (_req, body, done) => done(null, body),
    );

    scope.post('/webhook/paypal', async (req, reply) => {
      try {
        if (typeof req.body !== 'string') return reply.code(400).send({ error: 'bad_request' });
        const r = await payments.paypalWebhook(req.headers, req.body);
        return reply.code(r.status).send({ ok: r.status === 200, outcome: r.outcome });
      } catch (err) {
        log.error({ err: (err as Error).message }, 'paypal webhook failed');
        return reply.code(409).send({ ok: false, outcome: 'not_applied' });
      }
    });

    scope.post('/webhook/tranzila/notify', async (req, reply) => {
      try {
        const body = req.body;
        if (!body || typeof body !== 'object' || Array.isArray(body)) {
          return reply.code(400).send({ error: 'bad_request' });
        }
        const r = await payments.tranzilaNotify(body as Record<string, unknown>);
        return reply.code(r.status).send({ ok: r.status === 200, outcome: r.outcome });
      } catch (err) {
        log.error({ err: (err as Error).message }, 'tranzila notify failed');
        return reply.code(409).send({ ok: false, outcome: 'not_applied' });
      }
    });

    scope.get('/pay/paypal/return', async (req, reply) => {
      try {
        const status = payments.status().paypal;
        if (!status.enabled) return page(reply, 403, 'off');
        if (!status.configured) return page(reply, 501, 'off');
        const token = (req.query as Record<string, unknown>).token;
        if (typeof token !== 'string' || !ORDER_ID.test(token)) return page(reply, 400, 'unknown');
        const row = await payments.paypalReturned(token);
        if (!row) return page(reply, 404, 'unknown');
        return page(
          reply,
          200,
          row.status === 'succeeded'
            ? 'paid'
            : row.status === 'failed'
              ? 'failed'
              : row.status === 'cancelled'
                ? 'cancelled'
                : 'pending',
        );
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'paypal return: capture failed');
        return page(reply, 409, 'later');
      }
    });

    scope.get('/pay/paypal/cancel', async (_req, reply) => {
      const status = payments.status().paypal;
      return status.enabled ? page(reply, 200, 'cancelled') : page(reply, 403, 'off');
    });

    scope.get('/pay/tranzila/done', async (req, reply) => {
      const status = payments.status().tranzila;
      if (!status.enabled) return page(reply, 403, 'off');
      const result = (req.query as Record<string, unknown>).result;
      return page(reply, 200, result === 'ok' ? 'pending' : 'failed');
    });
  });
}
