/**
 * Online payments: PayPal orders and Tranzila links for a document or an amount, their
 * completion (PayPal capture on return / poll / webhook; Tranzila notify checked against the
 * report API), exactly one `payments` row per succeeded checkout and, with `autoReceipt`, its
 * receipt — both through the billing domain's `PaymentLedger`.
 *
 * Exactly once: a checkout is completed under a per-checkout lock, its provider ref is unique
 * (`payment_checkouts_provider_ref_uq`), and `payment_id` is written once; a webhook event id
 * already seen (`payment_provider_events`) changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Features } from '../../api/contract/business';
import {
  paymentProviderSettingsSchema,
  type Checkout,
  type CheckoutInput,
  type OnlineProvider,
  type PaymentProviderSettings,
  type PaymentProviderStatus,
} from '../../api/contract/payments';
import { ApiError } from '../../api/errors';
import type { Db } from '../../db/client';
import { paymentCheckouts, paymentProviderEvents } from '../../db/schema';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { SecretsResolver } from '../../platform/secrets-resolver';
import type { SettingsStore } from '../../platform/settings';
import type { PaymentLedger } from './ledger';
import { decimalToAgorot } from './money';
import { PayPalGateway, type PayPalCredentials, type PayPalOrderSummary } from './paypal';
import { ProviderError } from './provider-error';
import {
  fetchTranzilaTransaction,
  tranzilaLink,
  type TranzilaCredentials,
  type TranzilaTransaction,
} from './tranzila';

export const PAYMENTS_SETTING = 'payment_providers';
const settingsSchema = paymentProviderSettingsSchema.default({
  paypalMode: 'sandbox',
  paypalWebhookId: '',
  autoReceipt: true,
});

type Row = typeof paymentCheckouts.$inferSelect;

export interface OnlinePaymentsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  keys: SecretsResolver;
  settings: SettingsStore;
  features: () => Features;
  /** The business name shown on PayPal's page. */
  businessName: () => string;
  /** `https://<public host>` at the moment of use; undefined without a public address. */
  publicOrigin: () => string | undefined;
  ledger: PaymentLedger;
  /** PAYPAL_API_BASE / TRANZILA_DIRECT_BASE / TRANZILA_REPORT_BASE (tests: the fakes). */
  endpoints: { paypalApiBase?: string; tranzilaDirectBase?: string; tranzilaReportBase?: string };
  onChange?: (c: Checkout) => void;
  paypal?: PayPalGateway;
}

export const notConfigured = (provider: OnlineProvider, missing: string[]) =>
  new ApiError(
    'payments_not_configured',
    provider === 'paypal'
      ? 'PayPal is not set up: enter its Client ID and Secret in Settings → payments / PayPal לא מוגדר: הזינו את ה-Client ID וה-Secret בהגדרות ← תשלומים'
      : 'Tranzila is not set up: enter the terminal name and API keys in Settings → payments / טרנזילה לא מוגדרת: הזינו את שם המסוף ומפתחות ה-API בהגדרות ← תשלומים',
    { provider, missing },
  );

const providerFailed = (err: ProviderError) =>
  new ApiError(
    'conflict',
    err.kind === 'auth'
      ? 'the payment provider refused the keys / ספק התשלומים דחה את המפתחות'
      : err.kind === 'refused'
        ? `the payment provider refused the request / ספק התשלומים דחה את הבקשה (${err.issue ?? err.status ?? ''})`
        : 'the payment provider could not be reached; try again / אין חיבור לספק התשלומים; נסו שוב',
    { kind: err.kind, issue: err.issue ?? null },
    'payment_provider_error',
  );

/** The outcome of a webhook / notify, for its HTTP answer. */
export type DeliveryOutcome =
  { status: 200; outcome: string } | { status: 400 | 403 | 404 | 409 | 501; outcome: string };

export class OnlinePayments {
  readonly paypal: PayPalGateway;
  private readonly log: Logger;
  private readonly locks = new Map<number, Promise<unknown>>();

  constructor(private readonly deps: OnlinePaymentsDeps) {
    this.paypal = deps.paypal ?? new PayPalGateway();
    this.log = deps.logger.child({ module: 'payments' });
  }

  // ── settings and status ────────────────────────────────────────────────────────────────

  settings(): PaymentProviderSettings {
    return this.deps.settings.get(PAYMENTS_SETTING, settingsSchema);
  }

  updateSettings(patch: Partial<PaymentProviderSettings>): PaymentProviderStatus {
    this.deps.settings.set(PAYMENTS_SETTING, { ...this.settings(), ...patch });
    return this.status();
  }

  paypalCredentials(): { creds?: PayPalCredentials; missing: string[] } {
    const clientId = this.deps.keys.get('paypal_client_id');
    const clientSecret = this.deps.keys.get('paypal_client_secret');
    const missing = [
      ...(clientId ? [] : ['paypal_client_id']),
      ...(clientSecret ? [] : ['paypal_client_secret']),
    ];
    if (!clientId || !clientSecret) return { missing };
    return {
      creds: {
        clientId,
        clientSecret,
        sandbox: this.settings().paypalMode !== 'live',
        apiBase: this.deps.endpoints.paypalApiBase,
      },
      missing,
    };
  }

  tranzilaCredentials(): { creds?: TranzilaCredentials; missing: string[] } {
    const terminal = this.deps.keys.get('tranzila_terminal');
    const appKey = this.deps.keys.get('tranzila_api_key');
    const secret = this.deps.keys.get('tranzila_api_secret');
    const missing = [
      ...(terminal ? [] : ['tranzila_terminal']),
      ...(appKey ? [] : ['tranzila_api_key']),
      ...(secret ? [] : ['tranzila_api_secret']),
    ];
    if (!terminal || !appKey || !secret) return { missing };
    return {
      creds: {
        terminal,
        appKey,
        secret,
        directBase: this.deps.endpoints.tranzilaDirectBase,
        reportBase: this.deps.endpoints.tranzilaReportBase,
      },
      missing,
    };
  }

  status(): PaymentProviderStatus {
    const s = this.settings();
    const f = this.deps.features();
    const origin = this.deps.publicOrigin();
    const pp = this.paypalCredentials();
    const tz = this.tranzilaCredentials();
    const noAddress = origin ? [] : ['public_address' as const];
    return {
      paypal: {
        enabled: f.enable_payments_paypal,
        configured: !!pp.creds,
        missing: [
          ...(pp.missing as Array<'paypal_client_id' | 'paypal_client_secret'>),
          ...(s.paypalWebhookId ? [] : ['paypal_webhook_id' as const]),
          ...noAddress,
        ],
        sandbox: s.paypalMode !== 'live',
        callbackUrl: origin ? `${origin}/webhook/paypal` : null,
      },
      tranzila: {
        enabled: f.enable_payments_tranzila,
        configured: !!tz.creds,
        missing: [
          ...(tz.missing as Array<'tranzila_terminal' | 'tranzila_api_key' | 'tranzila_api_secret'>),
          ...noAddress,
        ],
        sandbox: false,
        callbackUrl: origin ? `${origin}/webhook/tranzila/notify` : null,
      },
      settings: s,
    };
  }

  readiness(provider: OnlineProvider): 'ok' | 'disabled' | 'fail' {
    const on =
      provider === 'paypal'
        ? this.deps.features().enable_payments_paypal
        : this.deps.features().enable_payments_tranzila;
    if (!on) return 'disabled';
    return (provider === 'paypal' ? this.paypalCredentials() : this.tranzilaCredentials()).creds
      ? 'ok'
      : 'fail';
  }

  // ── creating checkouts ─────────────────────────────────────────────────────────────────

  async createPayPalOrder(input: CheckoutInput): Promise<Checkout> {
    const { creds, missing } = this.paypalCredentials();
    if (!creds) throw notConfigured('paypal', missing);
    const what = await this.resolve(input);
    const token = randomBytes(18).toString('base64url');
    const origin = this.deps.publicOrigin();
    let order: PayPalOrderSummary;
    try {
      order = await this.paypal.createOrder(creds, {
        amountAgorot: what.amountAgorot,
        description: what.description,
        referenceId: what.referenceId,
        customId: token,
        brandName: this.deps.businessName(),
        returnUrl: origin ? `${origin}/pay/paypal/return` : undefined,
        cancelUrl: origin ? `${origin}/pay/paypal/cancel` : undefined,
        requestId: `al-${token}`,
      });
    } catch (err) {
      throw this.providerError('paypal create order', err);
    }
    const row = this.insert({
      provider: 'paypal',
      providerOrderId: order.id,
      ...what,
      approvalUrl: order.approvalUrl!,
      sandbox: creds.sandbox,
      rawJson: JSON.stringify({ status: order.status, customId: token }),
    });
    this.log.info(
      { checkout_id: row.id, order_id: order.id, amount_agorot: row.amountAgorot },
      'paypal order created',
    );
    return toCheckout(row);
  }

  async createTranzilaLink(input: CheckoutInput): Promise<Checkout> {
    const { creds, missing } = this.tranzilaCredentials();
    if (!creds) throw notConfigured('tranzila', missing);
    const what = await this.resolve(input);
    const token = randomBytes(18).toString('base64url');
    const origin = this.deps.publicOrigin();
    let url: string;
    try {
      url = tranzilaLink(creds, {
        amountAgorot: what.amountAgorot,
        description: what.description,
        token,
        contact: this.deps.businessName(),
        notifyUrl: origin ? `${origin}/webhook/tranzila/notify` : undefined,
        successUrl: origin ? `${origin}/pay/tranzila/done?result=ok` : undefined,
        failUrl: origin ? `${origin}/pay/tranzila/done?result=fail` : undefined,
      });
    } catch (err) {
      throw this.providerError('tranzila link', err);
    }
    const row = this.insert({
      provider: 'tranzila',
      providerOrderId: token,
      ...what,
      approvalUrl: url,
      sandbox: false,
      rawJson: '{}',
    });
    this.log.info({ checkout_id: row.id, amount_agorot: row.amountAgorot }, 'tranzila link created');
    return toCheckout(row);
  }

  private async resolve(input: CheckoutInput): Promise<{
    amountAgorot: number;
    customerId: number | null;
    documentId: number | null;
    description: string;
    referenceId: string;
  }> {
    if (input.documentId !== undefined) {
      const doc = await this.deps.ledger.payableDocument(input.documentId);
      if (!doc || doc.dueAgorot <= 0) {
        throw new ApiError(
          'not_found',
          'no open document to pay with that id',
          undefined,
          'document_not_payable',
        );
      }
      return {
        amountAgorot: doc.dueAgorot,
        customerId: doc.customerId,
        documentId: input.documentId,
        description: input.description || doc.label,
        referenceId: `document-${input.documentId}`,
      };
    }
    const customerId = input.customerId ?? null;
    return {
      amountAgorot: input.amountAgorot!,
      customerId,
      documentId: null,
      description: input.description || this.deps.businessName() || 'תשלום',
      referenceId: customerId ? `customer-${customerId}` : 'payment',
    };
  }

  private insert(
    v: Omit<typeof paymentCheckouts.$inferInsert, 'businessId' | 'createdAt' | 'updatedAt'>,
  ): Row {
    const now = this.deps.clock.now();
    try {
      return this.deps.db
        .insert(paymentCheckouts)
        .values({ ...v, businessId: 1, createdAt: now, updatedAt: now })
        .returning()
        .get();
    } catch (err) {
      if (String((err as { code?: string }).code).startsWith('SQLITE_CONSTRAINT_FOREIGNKEY')) {
        throw new ApiError('not_found', 'customer not found', undefined, 'customer_not_found');
      }
      throw err;
    }
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────

  row(id: number): Row | undefined {
    return this.deps.db.select().from(paymentCheckouts).where(eq(paymentCheckouts.id, id)).get();
  }

  byOrder(provider: OnlineProvider, orderId: string): Row | undefined {
    return this.deps.db
      .select()
      .from(paymentCheckouts)
      .where(and(eq(paymentCheckouts.provider, provider), eq(paymentCheckouts.providerOrderId, orderId)))
      .get();
  }

  list(q: {
    page: number;
    limit: number;
    documentId?: number;
    customerId?: number;
    provider?: OnlineProvider;
  }) {
    const conds: SQL[] = [];
    if (q.documentId !== undefined) conds.push(eq(paymentCheckouts.documentId, q.documentId));
    if (q.customerId !== undefined) conds.push(eq(paymentCheckouts.customerId, q.customerId));
    if (q.provider !== undefined) conds.push(eq(paymentCheckouts.provider, q.provider));
    const where = conds.length ? and(...conds) : undefined;
    const rows = this.deps.db
      .select()
      .from(paymentCheckouts)
      .where(where)
      .orderBy(desc(paymentCheckouts.createdAt), desc(paymentCheckouts.id))
      .limit(q.limit)
      .offset((q.page - 1) * q.limit)
      .all();
    const total = this.deps.db
      .select({ n: sql<number>`count(*)` })
      .from(paymentCheckouts)
      .where(where)
      .get()!.n;
    return { items: rows.map(toCheckout), total, page: q.page, limit: q.limit };
  }

  /** One checkout; a PayPal order still open is asked about (and captured once approved). */
  async checkout(id: number): Promise<Checkout> {
    const row = this.row(id);
    if (!row) throw new ApiError('not_found', 'checkout not found');
    if (row.provider === 'paypal' && (row.status === 'created' || row.status === 'approved')) {
      const { creds } = this.paypalCredentials();
      if (creds && this.deps.features().enable_payments_paypal) {
        try {
          await this.settlePayPal(row, creds, 'poll');
        } catch (err) {
          // Polling reports what is stored; the next poll, the return or the webhook tries again.
          this.log.warn({ checkout_id: id, err: describe(err) }, 'paypal poll failed');
        }
      }
    } else if (row.status === 'succeeded' && row.paymentId === null) {
      await this.complete(row, { providerRef: row.providerRef!, amountAgorot: row.amountAgorot, raw: {} });
    }
    return toCheckout(this.row(id)!);
  }

  // ── PayPal completion ──────────────────────────────────────────────────────────────────

  /** The payer came back from PayPal (GET /pay/paypal/return?token=<order id>). */
  async paypalReturned(orderId: string): Promise<Row | undefined> {
    const row = this.byOrder('paypal', orderId);
    if (!row) return undefined;
    const { creds } = this.paypalCredentials();
    if (!creds) return row;
    await this.settlePayPal(row, creds, 'return');
    return this.row(row.id);
  }

  /** Asks PayPal about the order; captures it when approved; completes it when captured. */
  private async settlePayPal(row: Row, creds: PayPalCredentials, via: string): Promise<void> {
    await this.withLock(row.id, async () => {
      const fresh = this.row(row.id)!;
      if (fresh.status !== 'created' && fresh.status !== 'approved') return;
      let order = await this.paypal.getOrder(creds, fresh.providerOrderId);
      if (order.status === 'APPROVED') {
        order = await this.paypal.captureOrder(creds, fresh.providerOrderId, `al-capture-${fresh.id}`);
      }
      await this.applyOrder(fresh, order, via);
    });
  }

  private async applyOrder(row: Row, order: PayPalOrderSummary, via: string): Promise<void> {
    const cap = order.capture;
    if (order.status === 'COMPLETED' && cap?.status === 'COMPLETED') {
      await this.completeLocked(row, {
        providerRef: cap.id,
        amountAgorot: cap.amountAgorot,
        currency: cap.currency,
        raw: { status: order.status, capture: cap, via },
      });
    } else if (cap && (cap.status === 'DECLINED' || cap.status === 'FAILED')) {
      this.setStatus(row, 'failed', `capture_${cap.status.toLowerCase()}`, {
        status: order.status,
        capture: cap,
        via,
      });
    } else if (order.status === 'VOIDED') {
      this.setStatus(row, 'cancelled', 'order_voided', { status: order.status, via });
    } else if (order.status === 'APPROVED' || (order.status === 'COMPLETED' && cap?.status === 'PENDING')) {
      this.setStatus(row, 'approved', null, { status: order.status, capture: cap, via });
    }
  }

  /**
   * A PayPal webhook delivery: checked with PayPal (verify-webhook-signature) before anything
   * is believed; each event id is handled once.
   */
  async paypalWebhook(
    headers: Record<string, string | string[] | undefined>,
    raw: string,
  ): Promise<DeliveryOutcome> {
    if (!this.deps.features().enable_payments_paypal)
      return { status: 403, outcome: 'payments_paypal_disabled' };
    const { creds } = this.paypalCredentials();
    const webhookId = this.settings().paypalWebhookId;
    if (!creds || !webhookId) return { status: 501, outcome: 'payments_not_configured' };
    const h = (name: string) => {
      const v = headers[name];
      return typeof v === 'string' && v.length > 0 && v.length <= 2000 ? v : undefined;
    };
    const transmissionId = h('paypal-transmission-id');
    const transmissionTime = h('paypal-transmission-time');
    const transmissionSig = h('paypal-transmission-sig');
    const certUrl = h('paypal-cert-url');
    const authAlgo = h('paypal-auth-algo');
    if (!transmissionId || !transmissionTime || !transmissionSig || !certUrl || !authAlgo) {
      return { status: 400, outcome: 'missing_signature_headers' };
    }
    const wh = { transmissionId, transmissionTime, transmissionSig, certUrl, authAlgo };
    let event: { id?: unknown; event_type?: unknown; resource?: Record<string, unknown> };
    try {
      event = JSON.parse(raw) as typeof event;
    } catch {
      return { status: 400, outcome: 'bad_json' };
    }
    if (
      !event ||
      typeof event !== 'object' ||
      typeof event.id !== 'string' ||
      typeof event.event_type !== 'string'
    ) {
      return { status: 400, outcome: 'not_an_event' };
    }
    if (!/^[A-Za-z0-9-]{1,64}$/.test(event.id) || event.event_type.length > 100) {
      return { status: 400, outcome: 'not_an_event' };
    }
    let verified: boolean;
    try {
      verified = await this.paypal.verifyWebhook(creds, webhookId, wh, raw);
    } catch (err) {
      // PayPal retries a delivery that is not answered 2xx: this one comes again later.
      this.log.warn({ err: describe(err), event_id: event.id }, 'paypal webhook could not be verified');
      return { status: 409, outcome: 'verification_unavailable' };
    }
    if (!verified) {
      this.log.warn({ event_id: event.id, event_type: event.event_type }, 'paypal webhook signature refused');
      return { status: 403, outcome: 'signature_invalid' };
    }
    const eventId = event.id;
    const type = event.event_type;
    if (this.seen('paypal', eventId)) return { status: 200, outcome: 'duplicate' };
    const resource = (
      event.resource && typeof event.resource === 'object' ? event.resource : {}
    ) as WebhookResource;
    let outcome = 'ignored';
    let checkoutId: number | null = null;
    try {
      if (type === 'CHECKOUT.ORDER.APPROVED' || type === 'CHECKOUT.ORDER.COMPLETED') {
        const row = typeof resource.id === 'string' ? this.byOrder('paypal', resource.id) : undefined;
        if (row) {
          checkoutId = row.id;
          await this.settlePayPal(row, creds, 'webhook');
          outcome = this.row(row.id)!.status;
        } else outcome = 'unknown_order';
      } else if (type.startsWith('PAYMENT.CAPTURE.')) {
        const orderId = resource.supplementary_data?.related_ids?.order_id;
        const row = typeof orderId === 'string' ? this.byOrder('paypal', orderId) : undefined;
        if (row) {
          checkoutId = row.id;
          await this.withLock(row.id, async () => {
            const fresh = this.row(row.id)!;
            const capture = {
              id: String(resource.id ?? ''),
              status: String(resource.status ?? ''),
              amountAgorot:
                typeof resource.amount?.value === 'string' ? decimalToAgorot(resource.amount.value) : null,
              currency:
                typeof resource.amount?.currency_code === 'string' ? resource.amount.currency_code : null,
            };
            if (type === 'PAYMENT.CAPTURE.COMPLETED' && capture.status === 'COMPLETED' && capture.id) {
              await this.completeLocked(fresh, {
                providerRef: capture.id,
                amountAgorot: capture.amountAgorot,
                currency: capture.currency,
                raw: { capture, via: 'webhook' },
              });
            } else if (type === 'PAYMENT.CAPTURE.DENIED' || type === 'PAYMENT.CAPTURE.DECLINED') {
              if (fresh.status !== 'succeeded')
                this.setStatus(fresh, 'failed', 'capture_denied', { capture, via: 'webhook' });
            }
          });
          outcome = this.row(row.id)!.status;
        } else outcome = 'unknown_order';
      }
    } catch (err) {
      this.log.warn(
        { err: describe(err), event_id: eventId, event_type: type },
        'paypal webhook not applied',
      );
      // Not recorded as seen: PayPal delivers it again and we try again.
      return { status: 409, outcome: 'not_applied' };
    }
    this.remember('paypal', eventId, type, checkoutId, outcome);
    this.log.info(
      { event_id: eventId, event_type: type, checkout_id: checkoutId, outcome },
      'paypal webhook',
    );
    return { status: 200, outcome };
  }

  // ── Tranzila completion ────────────────────────────────────────────────────────────────

  /** Tranzila's notify (form fields): the transaction is looked up in the report API first. */
  async tranzilaNotify(fields: Record<string, unknown>): Promise<DeliveryOutcome> {
    if (!this.deps.features().enable_payments_tranzila)
      return { status: 403, outcome: 'payments_tranzila_disabled' };
    const { creds } = this.tranzilaCredentials();
    if (!creds) return { status: 501, outcome: 'payments_not_configured' };
    const str = (k: string) => (typeof fields[k] === 'string' ? (fields[k] as string).trim() : undefined);
    const token = str('al_token');
    const index = str('index');
    const response = str('Response');
    if (!token || !/^[A-Za-z0-9_-]{16,64}$/.test(token)) return { status: 400, outcome: 'bad_token' };
    if (!index || !/^\d{1,18}$/.test(index)) return { status: 400, outcome: 'bad_index' };
    if (!response || !/^\d{1,4}$/.test(response)) return { status: 400, outcome: 'bad_response' };
    const row = this.byOrder('tranzila', token);
    if (!row) return { status: 404, outcome: 'unknown_checkout' };
    const eventId = `${index}`;
    if (this.seen('tranzila', eventId)) return { status: 200, outcome: 'duplicate' };
    let txn: TranzilaTransaction | null;
    try {
      txn = await fetchTranzilaTransaction(creds, index, this.deps.clock.now());
    } catch (err) {
      this.log.warn(
        { err: describe(err), checkout_id: row.id },
        'tranzila transaction could not be verified',
      );
      return { status: 409, outcome: 'verification_unavailable' };
    }
    let outcome: string;
    if (!txn) {
      this.log.warn(
        { checkout_id: row.id, index },
        'tranzila notify for a transaction the report does not have',
      );
      return { status: 403, outcome: 'transaction_not_found' };
    } else if (txn.token !== null && txn.token !== token) {
      this.log.warn(
        { checkout_id: row.id, index },
        'tranzila notify: the transaction belongs to another checkout',
      );
      return { status: 403, outcome: 'transaction_mismatch' };
    } else if (txn.responseCode !== '000') {
      await this.withLock(row.id, async () => {
        const fresh = this.row(row.id)!;
        if (fresh.status !== 'succeeded') {
          this.setStatus(fresh, 'failed', `declined_${txn.responseCode.slice(0, 8)}`, {
            index,
            code: txn.responseCode,
          });
        }
      });
      outcome = 'declined';
    } else {
      await this.withLock(row.id, async () => {
        await this.completeLocked(this.row(row.id)!, {
          providerRef: index,
          amountAgorot: txn.amountAgorot,
          currency: txn.currency === '1' ? 'ILS' : txn.currency,
          raw: { index, code: txn.responseCode, via: 'notify' },
        });
      });
      outcome = this.row(row.id)!.status;
    }
    this.remember('tranzila', eventId, `response_${response}`, row.id, outcome);
    this.log.info({ checkout_id: row.id, index, outcome }, 'tranzila notify');
    return { status: 200, outcome };
  }

  // ── completing (exactly once) ──────────────────────────────────────────────────────────

  private async complete(row: Row, r: Completion): Promise<void> {
    await this.withLock(row.id, () => this.completeLocked(this.row(row.id)!, r));
  }

  /** Under the checkout's lock: claim it, record the payment once, issue the receipt. */
  private async completeLocked(row: Row, r: Completion): Promise<void> {
    if (row.paymentId !== null) return;
    if (row.status !== 'succeeded') {
      if (r.amountAgorot !== row.amountAgorot || (r.currency != null && r.currency !== 'ILS')) {
        this.log.warn(
          { checkout_id: row.id, expected: row.amountAgorot, got: r.amountAgorot, currency: r.currency },
          'online payment amount does not match its checkout',
        );
        this.setStatus(row, 'failed', 'amount_mismatch', r.raw);
        return;
      }
      const now = this.deps.clock.now();
      try {
        this.deps.db
          .update(paymentCheckouts)
          .set({
            status: 'succeeded',
            providerRef: r.providerRef,
            completedAt: now,
            failureReason: null,
            rawJson: JSON.stringify(r.raw).slice(0, 4000),
            updatedAt: now,
          })
          .where(eq(paymentCheckouts.id, row.id))
          .run();
      } catch (err) {
        if (String((err as { code?: string }).code).startsWith('SQLITE_CONSTRAINT')) {
          this.log.warn({ checkout_id: row.id }, 'provider reference already used by another checkout');
          return;
        }
        throw err;
      }
      row = this.row(row.id)!;
    }
    const paymentId = await this.deps.ledger.recordOnlinePayment({
      provider: row.provider,
      providerRef: row.providerRef!,
      amountAgorot: row.amountAgorot,
      customerId: row.customerId,
      documentId: row.documentId,
      paidAt: row.completedAt ?? this.deps.clock.now(),
      linkUrl: row.approvalUrl,
      notes: row.description,
    });
    this.deps.db
      .update(paymentCheckouts)
      .set({ paymentId, updatedAt: this.deps.clock.now() })
      .where(eq(paymentCheckouts.id, row.id))
      .run();
    this.log.info(
      { checkout_id: row.id, payment_id: paymentId, provider: row.provider },
      'online payment succeeded',
    );
    if (this.settings().autoReceipt) {
      try {
        const receiptId = await this.deps.ledger.issueReceipt(paymentId);
        this.deps.db
          .update(paymentCheckouts)
          .set({ receiptDocumentId: receiptId, updatedAt: this.deps.clock.now() })
          .where(eq(paymentCheckouts.id, row.id))
          .run();
      } catch (err) {
        // The payment stands; the owner can issue its receipt from the payments list.
        this.log.warn(
          { checkout_id: row.id, payment_id: paymentId, err: describe(err) },
          'automatic receipt failed',
        );
      }
    }
    this.changed(row.id);
  }

  private setStatus(row: Row, status: Row['status'], reason: string | null, raw: unknown): void {
    if (row.status === status && row.failureReason === reason) return;
    this.deps.db
      .update(paymentCheckouts)
      .set({
        status,
        failureReason: reason,
        rawJson: JSON.stringify(raw).slice(0, 4000),
        updatedAt: this.deps.clock.now(),
      })
      .where(eq(paymentCheckouts.id, row.id))
      .run();
    this.changed(row.id);
  }

  private changed(id: number): void {
    const row = this.row(id);
    if (row) this.deps.onChange?.(toCheckout(row));
  }

  private seen(provider: OnlineProvider, eventId: string): boolean {
    return !!this.deps.db
      .select({ id: paymentProviderEvents.id })
      .from(paymentProviderEvents)
      .where(and(eq(paymentProviderEvents.provider, provider), eq(paymentProviderEvents.eventId, eventId)))
      .get();
  }

  private remember(
    provider: OnlineProvider,
    eventId: string,
    type: string,
    checkoutId: number | null,
    outcome: string,
  ) {
    this.deps.db
      .insert(paymentProviderEvents)
      .values({
        provider,
        eventId,
        eventType: type.slice(0, 100),
        checkoutId,
        outcome,
        receivedAt: this.deps.clock.now(),
      })
      .onConflictDoNothing()
      .run();
  }

  private async withLock<T>(id: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }

  private providerError(what: string, err: unknown): Error {
    if (err instanceof ApiError) return err;
    if (err instanceof ProviderError) {
      this.log.warn(
        { what, kind: err.kind, status: err.status, issue: err.issue },
        'payment provider call failed',
      );
      return providerFailed(err);
    }
    return err as Error;
  }
}

/** The parts of a webhook's `resource` we read (each checked before use). */
interface WebhookResource {
  id?: unknown;
  status?: unknown;
  amount?: { value?: unknown; currency_code?: unknown };
  supplementary_data?: { related_ids?: { order_id?: unknown } };
}

interface Completion {
  providerRef: string;
  amountAgorot: number | null;
  currency?: string | null;
  raw: unknown;
}

/** An error for a log line: kind and code, never a request or a key. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof ProviderError)
    return { kind: err.kind, status: err.status, issue: err.issue, message: err.message };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { message: String(err) };
}

export function toCheckout(r: Row): Checkout {
  return {
    id: r.id,
    provider: r.provider,
    status: r.status,
    amountAgorot: r.amountAgorot,
    currency: 'ILS',
    description: r.description,
    customerId: r.customerId,
    documentId: r.documentId,
    url: r.approvalUrl,
    sandbox: r.sandbox,
    providerOrderId: r.providerOrderId,
    providerRef: r.providerRef,
    paymentId: r.paymentId,
    receiptDocumentId: r.receiptDocumentId,
    failureReason: r.failureReason,
    createdAt: r.createdAt,
    completedAt: r.completedAt,
  };
}
