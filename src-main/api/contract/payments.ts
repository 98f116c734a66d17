/**
 * Online payments (SPEC §4): a PayPal order (Orders v2: create → approval link → capture) or a
 * Tranzila hosted payment page link, for an issued document or for an amount and a customer.
 * Each provider is behind its business flag (off → 403 `payments_paypal_disabled` /
 * `payments_tranzila_disabled`); on without its keys → 501 `payments_not_configured`; a
 * provider that refuses or cannot be reached → 409 `payment_provider_error` (never a 5xx).
 * A succeeded checkout records one `payments` row (billing) and, with `autoReceipt`, its receipt.
 */
import { z } from 'zod';
import { method } from '../define';
import { agorot, empty, epochMs, id, idInput, pageInput, paged } from './common';

export const ONLINE_PROVIDERS = ['paypal', 'tranzila'] as const;
export const onlineProviderSchema = z.enum(ONLINE_PROVIDERS);
export type OnlineProvider = z.infer<typeof onlineProviderSchema>;

export const CHECKOUT_STATUSES = ['created', 'approved', 'succeeded', 'failed', 'cancelled'] as const;
export const checkoutStatusSchema = z.enum(CHECKOUT_STATUSES);

/** Up to ₪1,000,000 per checkout. */
export const MAX_CHECKOUT_AGOROT = 100_000_000;

/** Why a provider is not usable yet (Hebrew in he.payments.missing). */
export const PROVIDER_MISSING = [
  'paypal_client_id',
  'paypal_client_secret',
  'paypal_webhook_id',
  'tranzila_terminal',
  'tranzila_api_key',
  'tranzila_api_secret',
  'public_address',
] as const;

export const paymentProviderSettingsSchema = z.object({
  /** PayPal's sandbox (test money) or the live site. */
  paypalMode: z.enum(['sandbox', 'live']).default('sandbox'),
  /** The id PayPal shows for the webhook pointed at /webhook/paypal (verifies each delivery). */
  paypalWebhookId: z.string().trim().max(64).default(''),
  /** Issue the receipt as soon as an online payment succeeds. */
  autoReceipt: z.boolean().default(true),
});
export type PaymentProviderSettings = z.infer<typeof paymentProviderSettingsSchema>;

const providerStatus = z.object({
  /** The business flag. */
  enabled: z.boolean(),
  /** Every key it needs is set (orders/links can be made). */
  configured: z.boolean(),
  /** What is missing before it works end to end (keys, webhook id, public address). */
  missing: z.array(z.enum(PROVIDER_MISSING)),
  sandbox: z.boolean(),
  /** Where the provider calls us back (null without a public address). */
  callbackUrl: z.string().nullable(),
});

export const providerStatusSchema = z.object({
  paypal: providerStatus,
  tranzila: providerStatus,
  settings: paymentProviderSettingsSchema,
});
export type PaymentProviderStatus = z.infer<typeof providerStatusSchema>;

export const checkoutSchema = z.object({
  id,
  provider: onlineProviderSchema,
  status: checkoutStatusSchema,
  amountAgorot: agorot,
  currency: z.literal('ILS'),
  description: z.string(),
  customerId: id.nullable(),
  documentId: id.nullable(),
  /** The link the customer pays at (PayPal approval link / Tranzila hosted page). */
  url: z.string(),
  sandbox: z.boolean(),
  providerOrderId: z.string(),
  /** PayPal capture id / Tranzila transaction index. */
  providerRef: z.string().nullable(),
  /** The `payments` row once it succeeded, and the receipt issued for it. */
  paymentId: id.nullable(),
  receiptDocumentId: id.nullable(),
  failureReason: z.string().nullable(),
  createdAt: epochMs,
  completedAt: epochMs.nullable(),
});
export type Checkout = z.infer<typeof checkoutSchema>;

/** For an issued document (its open amount and customer), or for an amount and a customer. */
export const checkoutInputSchema = z
  .object({
    documentId: id.optional(),
    amountAgorot: z.number().int().positive().max(MAX_CHECKOUT_AGOROT).optional(),
    customerId: id.nullable().optional(),
    /** Shown to the payer (default: the document's name and number, or the business name). */
    description: z.string().trim().max(120).optional(),
  })
  .strict()
  .refine((v) => (v.documentId === undefined) !== (v.amountAgorot === undefined), {
    message: 'give a documentId or an amountAgorot (not both)',
  });
export type CheckoutInput = z.infer<typeof checkoutInputSchema>;

export const paymentsMethods = {
  'payments.providerStatus': method({
    summary: 'PayPal and Tranzila: flag, keys, sandbox or live, what is missing, callback URLs, settings',
    input: empty,
    output: providerStatusSchema,
  }),
  'payments.updateSettings': method({
    summary: 'PayPal sandbox/live and webhook id; issue receipts automatically',
    input: z
      .object({
        paypalMode: z.enum(['sandbox', 'live']),
        paypalWebhookId: z
          .string()
          .trim()
          .max(64)
          .regex(/^[A-Za-z0-9-]*$/, 'letters, digits and dashes'),
        autoReceipt: z.boolean(),
      })
      .partial()
      .strict(),
    output: providerStatusSchema,
  }),
  'payments.createPayPalOrder': method({
    summary: 'A PayPal order in ₪ for a document or an amount; answers its approval link',
    feature: 'enable_payments_paypal',
    input: checkoutInputSchema,
    output: checkoutSchema,
  }),
  'payments.createTranzilaLink': method({
    summary: 'A Tranzila hosted payment page link in ₪ for a document or an amount',
    feature: 'enable_payments_tranzila',
    input: checkoutInputSchema,
    output: checkoutSchema,
  }),
  'payments.checkout': method({
    summary: 'One checkout; a PayPal order the payer approved is captured now (status polling)',
    input: idInput.strict(),
    output: checkoutSchema,
  }),
  'payments.checkouts': method({
    summary: 'Checkouts, newest first, by document or customer',
    input: pageInput
      .extend({
        documentId: id.optional(),
        customerId: id.optional(),
        provider: onlineProviderSchema.optional(),
      })
      .strict()
      .default({ page: 1, limit: 25 }),
    output: paged(checkoutSchema),
  }),
};

export const paymentsEvents = {
  /** A checkout changed (approved, succeeded, failed): the screens showing it refresh. */
  'payments.checkoutUpdated': checkoutSchema,
};
