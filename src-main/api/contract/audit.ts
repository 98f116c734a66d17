import { z } from 'zod';
import { method } from '../define';

const entity = z.object({
  entityType: z.enum(['document', 'payment', 'contract', 'secret', 'customer']),
  entityId: z.number().int().nonnegative(),
});

export const auditEventSchema = z.object({
  id: z.number().int(),
  entityType: z.string(),
  entityId: z.number().int(),
  event: z.string(),
  data: z.record(z.string(), z.unknown()),
  actor: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.number().int(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEventView = z.infer<typeof auditEventSchema>;

/** What a verify found: an event changed, events missing, or a file an event vouches for changed. */
export const auditProblemSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('edited'), eventId: z.number().int() }),
  z.object({
    kind: z.literal('deleted'),
    afterEventId: z.number().int().nullable(),
    beforeEventId: z.number().int().nullable(),
  }),
  z.object({ kind: z.enum(['file_changed', 'file_missing']), eventId: z.number().int(), file: z.string() }),
]);

export const auditMethods = {
  'audit.history': method({
    summary: "One record's audit events, oldest first",
    input: entity.strict(),
    output: z.array(auditEventSchema),
  }),
  'audit.verify': method({
    summary: 'Recompute the hash chain (and, for a record, the files its events vouch for)',
    input: z.object({ entity: entity.optional() }).strict(),
    output: z.object({ ok: z.boolean(), events: z.number().int(), problems: z.array(auditProblemSchema) }),
  }),
};
