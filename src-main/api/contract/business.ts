import { z } from 'zod';
import { toE164 } from '../../platform/phone';
import { method } from '../define';
import { empty } from './common';
import { FEATURE_DEFAULTS, FEATURE_FLAGS, type FeatureFlag } from './feature-flags';

export { FEATURE_DEFAULTS, FEATURE_FLAGS, type FeatureFlag } from './feature-flags';

/**
 * What this build really has. A capability that is not built is offered nowhere as working: its
 * navigation entry says "בקרוב", its figures are hidden (dashboard, reports, Ctrl+K, the customer
 * timeline), its action buttons are disabled with one reason, and its flags cannot be turned on.
 * When a capability lands, flip its line here — every entry point reads this.
 */
export const CAPABILITY_BUILT = {
  crm: true,
  calls: true,
  whatsapp: true,
  /** The AI auto-reply on WhatsApp (SPEC §2, beyond): its flag stays off and fixed until it lands. */
  whatsapp_ai: false,
  invoices: true,
  contracts: true,
  payments: true,
} as const;
export type Capability = keyof typeof CAPABILITY_BUILT;

/** The capability each flag belongs to. */
export const FLAG_CAPABILITY: Record<FeatureFlag, Capability> = {
  crm_enabled: 'crm',
  whatsapp_enabled: 'whatsapp',
  invoices_enabled: 'invoices',
  contracts_enabled: 'contracts',
  signature_enabled: 'contracts',
  enable_calls_stream: 'calls',
  enable_recording_fallback: 'calls',
  enable_payments_paypal: 'payments',
  enable_payments_tranzila: 'payments',
  ai_whatsapp_autoreply: 'whatsapp_ai',
};

export const isBuilt = (c: Capability): boolean => CAPABILITY_BUILT[c];
export const isFlagBuilt = (f: FeatureFlag): boolean => CAPABILITY_BUILT[FLAG_CAPABILITY[f]];

export const featuresSchema = z.object(
  Object.fromEntries(FEATURE_FLAGS.map((f) => [f, z.boolean().default(FEATURE_DEFAULTS[f])])) as {
    [K in FeatureFlag]: z.ZodDefault<z.ZodBoolean>;
  },
);
export type Features = z.infer<typeof featuresSchema>;

const text = (max: number) => z.string().trim().max(max);

export const faqItemSchema = z.object({ q: text(300).min(1), a: text(1000).min(1) });

export const knowledgeSchema = z.object({
  greeting: text(400).default(''),
  hours: text(1000).default(''),
  services: text(4000).default(''),
  prices: text(4000).default(''),
  faq: z.array(faqItemSchema).max(100).default([]),
  freeText: text(10000).default(''),
});
export type Knowledge = z.infer<typeof knowledgeSchema>;

/** Israeli VAT ids (עוסק מורשה / ח.פ) are 9 digits; empty while not filled in. */
const vatId = z
  .string()
  .trim()
  .regex(/^(\d{9})?$/, 'VAT id must be 9 digits');

/** A phone typed in any common form, kept as E.164 (+9725…); empty while not filled in. */
const phone = text(30)
  .refine((v) => v === '' || toE164(v) !== null, 'invalid phone number')
  .transform((v) => (v === '' ? '' : toE164(v)!));

export const businessProfileSchema = z.object({
  name: text(120),
  legalName: text(200),
  vatId,
  businessType: z.enum(['osek_murshe', 'osek_patur', 'company']),
  phone,
  /** Where "transfer to the owner" dials. */
  ownerPhone: phone,
  email: z.union([z.literal(''), z.email().max(200)]),
  address: text(300),
  city: text(100),
  website: text(300),
  /** VAT rate in basis points: 1800 = 18%. */
  vatRateBp: z.number().int().min(0).max(5000),
});
export type BusinessProfile = z.infer<typeof businessProfileSchema>;

/** As stored: phones saved before validation existed are shown as they are, never rejected. */
export const businessSchema = businessProfileSchema.extend({
  phone: z.string(),
  ownerPhone: z.string(),
  id: z.number().int(),
  knowledge: knowledgeSchema,
  features: featuresSchema,
  updatedAt: z.number().int(),
});
export type Business = z.infer<typeof businessSchema>;

export const businessMethods = {
  'business.get': method({
    summary: 'The business profile, knowledge and flags',
    input: empty,
    output: businessSchema,
  }),
  'business.updateProfile': method({
    summary: 'Save the business profile',
    input: businessProfileSchema.partial().strict(),
    output: businessSchema,
  }),
  'business.updateKnowledge': method({
    summary: 'Save what the agent knows about the business',
    input: knowledgeSchema.partial().strict(),
    output: businessSchema,
  }),
  'business.setFeatures': method({
    summary: 'Turn feature flags on or off',
    input: z
      .object(
        Object.fromEntries(FEATURE_FLAGS.map((f) => [f, z.boolean().optional()])) as {
          [K in FeatureFlag]: z.ZodOptional<z.ZodBoolean>;
        },
      )
      .strict(),
    output: businessSchema,
  }),
};

export const businessEvents = {
  'business.updated': businessSchema,
};
