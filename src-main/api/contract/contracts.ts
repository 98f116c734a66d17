/**
 * Contracts and signatures (SPEC §5): templates with placeholders (versioned), contracts made from
 * them, signing in the office or by a link, the signed PDF and its audit trail.
 */
import { z } from 'zod';
import { method } from '../define';
import { epochMs, id, pageInput, paged } from './common';
import { auditProblemSchema } from './audit';

const feature = 'contracts_enabled' as const;

/** What an unfilled placeholder renders as (a line to fill in by hand). */
export const CONTRACT_BLANK = '_______________';

export const CONTRACT_STATUSES = ['draft', 'sent', 'opened', 'signed', 'cancelled', 'expired'] as const;
export const PLACEHOLDER_NAMES = [
  'customer.name',
  'customer.idNumber',
  'customer.address',
  'customer.phone',
  'customer.email',
  'deal.title',
  'deal.amount',
  'business.name',
  'business.vatId',
  'business.address',
  'business.phone',
  'date.today',
  'contract.number',
] as const;
const placeholder = z.enum(PLACEHOLDER_NAMES);
const fieldValues = z.partialRecord(placeholder, z.string().trim().max(500));

export const contractTemplateSchema = z.object({
  id,
  name: z.string(),
  version: z.number().int(),
  body: z.string(),
  requiresIdNumber: z.boolean(),
  /** Placeholders the body uses, and `{{…}}` that are none (a typo). */
  placeholders: z.array(placeholder),
  unknown: z.array(z.string()),
  createdAt: epochMs,
});

export const contractSummarySchema = z.object({
  id,
  number: z.string().nullable(),
  title: z.string(),
  customerId: id,
  customerName: z.string(),
  dealId: id.nullable(),
  status: z.enum(CONTRACT_STATUSES),
  createdAt: epochMs,
  sentAt: epochMs.nullable(),
  viewedAt: epochMs.nullable(),
  signedAt: epochMs.nullable(),
});

export type ContractSummary = z.infer<typeof contractSummarySchema>;

export const contractDetailSchema = contractSummarySchema.extend({
  templateId: id.nullable(),
  templateVersion: z.number().int().nullable(),
  body: z.string(),
  values: fieldValues,
  /** Blanks the template leaves that have no value yet (sending and signing wait for them). */
  missing: z.array(placeholder),
  requiresIdNumber: z.boolean(),
  linkExpiresAt: epochMs.nullable(),
  signer: z
    .object({
      name: z.string(),
      idNumber: z.string().nullable(),
      via: z.enum(['in_office', 'remote']),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
    })
    .nullable(),
  signedSha256: z.string().nullable(),
  voidReason: z.string().nullable(),
});

/** signature_pad `toData()`: strokes of {x, y, time, pressure} points, bounded. */
const strokes = z
  .array(
    z
      .object({
        points: z.array(
          z
            .object({ x: z.number(), y: z.number(), time: z.number(), pressure: z.number().optional() })
            .loose(),
        ),
      })
      .loose(),
  )
  .min(1)
  .max(500);

export const signatureInputSchema = z.object({
  name: z.string().trim().min(2).max(120),
  idNumber: z.string().trim().max(9).optional(),
  consent: z.literal(true),
  strokes,
  /** data:image/png;base64,… of the drawn signature (≤ 300 kB). */
  png: z.string().max(420_000).startsWith('data:image/png;base64,'),
});

export const contractsMethods = {
  'contracts.templates.list': method({
    summary: 'The newest version of each contract template',
    feature,
    input: z.object({}).strict().optional(),
    output: z.array(contractTemplateSchema),
  }),
  'contracts.templates.save': method({
    summary: 'Save a template (editing one makes a new version; contracts keep theirs)',
    feature,
    input: z
      .object({
        id: id.optional(),
        name: z.string().trim().min(2).max(120),
        body: z.string().min(20).max(50_000),
        requiresIdNumber: z.boolean().default(false),
      })
      .strict(),
    output: contractTemplateSchema,
  }),
  'contracts.list': method({
    summary: 'Contracts, newest first, by status or customer',
    feature,
    input: pageInput
      .extend({
        status: z.enum(CONTRACT_STATUSES).optional(),
        customerId: id.optional(),
        /** Number, title or customer name. */
        q: z.string().trim().max(100).optional(),
      })
      .strict(),
    output: paged(contractSummarySchema),
  }),
  'contracts.get': method({
    summary: 'One contract with its text, blanks and signer',
    feature,
    input: z.object({ id }).strict(),
    output: contractDetailSchema,
  }),
  'contracts.preview': method({
    summary: 'A template rendered for a customer and deal, or a body being edited (nothing is saved)',
    feature,
    input: z
      .object({
        templateId: id.optional(),
        body: z.string().max(50_000).optional(),
        customerId: id.optional(),
        dealId: id.optional(),
        values: fieldValues.optional(),
      })
      .strict()
      .refine((i) => (i.templateId === undefined) !== (i.body === undefined), {
        message: 'a template or a body',
        path: ['templateId'],
      }),
    output: z.object({
      text: z.string(),
      missing: z.array(placeholder),
      placeholders: z.array(placeholder),
      unknown: z.array(z.string()),
    }),
  }),
  'contracts.create': method({
    summary: 'A draft contract for a customer from a template (numbered AGR-…)',
    feature,
    input: z
      .object({ customerId: id, templateId: id, dealId: id.optional(), values: fieldValues.optional() })
      .strict(),
    output: contractDetailSchema,
  }),
  'contracts.update': method({
    summary: 'Fill in the blanks of a draft',
    feature,
    input: z.object({ id, values: fieldValues }).strict(),
    output: contractDetailSchema,
  }),
  'contracts.send': method({
    summary: 'A signing link for the customer (single use; the previous link stops working)',
    feature,
    input: z.object({ id, days: z.number().int().min(1).max(30).default(7) }).strict(),
    output: z.object({ link: z.string().nullable(), expiresAt: epochMs, contract: contractDetailSchema }),
  }),
  'contracts.void': method({
    summary: 'Void a contract that is not signed',
    feature,
    input: z.object({ id, reason: z.string().trim().min(2).max(500) }).strict(),
    output: contractDetailSchema,
  }),
  'contracts.signInOffice': method({
    summary: 'Sign on this screen (the customer signs in the office)',
    feature: 'signature_enabled',
    input: signatureInputSchema.extend({ id }).strict(),
    output: contractDetailSchema,
  }),
  'contracts.file': method({
    summary: 'The signed PDF as a file for the viewer',
    feature,
    input: z.object({ id }).strict(),
    output: z.object({ url: z.string(), sha256: z.string() }),
  }),
  'contracts.previewPdf': method({
    summary: 'The contract as its PDF will read, before signing (marked as a draft)',
    feature,
    input: z.object({ id }).strict(),
    output: z.object({ url: z.string(), sha256: z.string() }),
  }),
  'contracts.verify': method({
    summary: 'Recompute the audit chain and the signed PDF’s hash',
    feature,
    input: z.object({ id }).strict(),
    output: z.object({ ok: z.boolean(), events: z.number().int(), problems: z.array(auditProblemSchema) }),
  }),
};

export const contractsEvents = {
  /** A contract changed (created, edited, sent, opened, signed, voided — here or by its signer). */
  'contracts.changed': z.object({ id, status: z.enum(CONTRACT_STATUSES) }),
};
