/**
 * CRM API (SPEC §3): customers, timeline, deals, tasks and calendar, dashboard, reports and
 * global search. Every method needs `crm_enabled`.
 */
import { z } from 'zod';
import { PHONE_PROBLEMS, phoneProblem } from '../../platform/phone';
import { method } from '../define';
import { agorot, empty, epochMs, id, idInput, pageInput, paged } from './common';

export const CUSTOMER_STATUSES = ['lead', 'customer', 'inactive'] as const;
export const CUSTOMER_SOURCES = ['phone', 'whatsapp', 'manual', 'import', 'web'] as const;
export const DEAL_STAGES = ['new', 'qualified', 'proposal', 'won', 'lost'] as const;
export const TASK_KINDS = ['task', 'callback', 'appointment'] as const;

export const customerStatusSchema = z.enum(CUSTOMER_STATUSES);
export const customerSourceSchema = z.enum(CUSTOMER_SOURCES);
export const dealStageSchema = z.enum(DEAL_STAGES);
export const taskKindSchema = z.enum(TASK_KINDS);

const str = (max: number) => z.string().trim().max(max);
const tagSchema = str(40).min(1);
/**
 * A phone as typed (any common form, a star code such as *2700, a foreign +44 …). Refused here
 * with the reason code the renderer's form shows (he.crm.form.phoneProblems), by the same parser
 * the form checks with; the handler stores it as E.164 or the star code.
 */
const phoneInput = str(40).superRefine((v, ctx) => {
  const problem = v ? phoneProblem(v) : null;
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const emailInput = z.union([z.literal(''), z.email().max(200)]);

export const customerSchema = z.object({
  id,
  name: z.string(),
  /** E.164 (+972501234567, +9721800123456, +442079460958), or a star code as its own form: *2700. */
  phone: z.string().nullable(),
  /** As an Israeli owner reads it: 050-123-4567, 02-623-4567, 1-800-123-456, *2700, +44 20 7946 0958. */
  phoneDisplay: z.string(),
  email: z.string().nullable(),
  status: customerStatusSchema,
  source: customerSourceSchema,
  tags: z.array(z.string()),
  notes: z.string(),
  vatId: z.string().nullable(),
  address: z.string().nullable(),
  lastContactAt: epochMs.nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type Customer = z.infer<typeof customerSchema>;

export const customerListItemSchema = customerSchema.omit({ notes: true, vatId: true });
export type CustomerListItem = z.infer<typeof customerListItemSchema>;

export const dealSchema = z.object({
  id,
  customerId: id,
  customerName: z.string(),
  title: z.string(),
  stage: dealStageSchema,
  amountAgorot: agorot,
  position: z.number().int(),
  expectedCloseDate: z.string().nullable(),
  wonAt: epochMs.nullable(),
  lostAt: epochMs.nullable(),
  lostReason: z.string().nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type Deal = z.infer<typeof dealSchema>;

export const taskSchema = z.object({
  id,
  customerId: id.nullable(),
  customerName: z.string().nullable(),
  callId: id.nullable(),
  kind: taskKindSchema,
  title: z.string(),
  description: z.string(),
  dueAt: epochMs.nullable(),
  startsAt: epochMs.nullable(),
  endsAt: epochMs.nullable(),
  reminderAt: epochMs.nullable(),
  remindedAt: epochMs.nullable(),
  doneAt: epochMs.nullable(),
  createdBy: z.enum(['owner', 'agent', 'system']),
  createdAt: epochMs,
});
export type Task = z.infer<typeof taskSchema>;

export const customerDetailSchema = customerSchema.extend({
  stats: z.object({
    calls: z.number().int(),
    messages: z.number().int(),
    unreadMessages: z.number().int(),
    openTasks: z.number().int(),
    openDeals: z.number().int(),
    unpaidAgorot: agorot,
  }),
  deals: z.array(dealSchema),
  openTasks: z.array(taskSchema),
});
export type CustomerDetail = z.infer<typeof customerDetailSchema>;

export const customerFiltersSchema = z.object({
  /** Name, phone in any format, email or tag — Hebrew or English. */
  q: str(200).optional(),
  status: customerStatusSchema.optional(),
  source: customerSourceSchema.optional(),
  tag: tagSchema.optional(),
});

export const customerSortSchema = z.enum(['created', 'name', 'lastContact']);

const customerFields = {
  name: str(120),
  phone: phoneInput.nullable(),
  email: emailInput.nullable(),
  status: customerStatusSchema,
  source: customerSourceSchema,
  tags: z.array(tagSchema).max(20),
  notes: str(10_000),
  vatId: str(20).nullable(),
  address: str(300).nullable(),
};

export const customerCreateSchema = z
  .object({
    ...customerFields,
    name: str(120).min(1),
    status: customerStatusSchema.default('lead'),
    source: customerSourceSchema.default('manual'),
    tags: z.array(tagSchema).max(20).default([]),
    notes: str(10_000).default(''),
  })
  .partial({ phone: true, email: true, vatId: true, address: true })
  .strict();

export const customerUpdateSchema = z
  .object({ id, ...customerFields, name: str(120).min(1) })
  .partial()
  .required({ id: true })
  .strict();

/** One problem in one CSV row. `line` is the 1-based line in the file (the header is line 1). */
export const importIssueSchema = z.object({
  line: z.number().int(),
  field: z.string().nullable(),
  code: z.enum([
    'missing_name_or_phone',
    'bad_phone',
    'bad_email',
    'bad_status',
    'duplicate_in_file',
    'exists',
    'too_long',
    'bad_row',
  ]),
  value: z.string().optional(),
  /** For bad_phone: why (he.crm.form.phoneProblems). */
  reason: z.enum(PHONE_PROBLEMS).optional(),
  existingId: id.optional(),
});
export type ImportIssue = z.infer<typeof importIssueSchema>;

/**
 * What a source column can feed: a customer field, or "mobile" (a phone column whose numbers
 * are mobile ones, put first). null: the column is ignored.
 */
export const IMPORT_TARGETS = [
  'name',
  'firstName',
  'middleName',
  'lastName',
  'phone',
  'mobile',
  'email',
  'company',
  'notes',
  'status',
  'tags',
  'address',
  'city',
  'vatId',
] as const;
export type ImportTarget = (typeof IMPORT_TARGETS)[number];
/** What importing a row does: a new customer, an update of an existing one, or nothing. */
export const IMPORT_ACTIONS = ['create', 'update', 'skip'] as const;

export const importPreviewSchema = z.object({
  /** Which column feeds which field (null: ignored), as suggested or as the owner mapped it. */
  columns: z.array(
    z.object({
      header: z.string(),
      field: z.enum(IMPORT_TARGETS).nullable(),
      /** The first non-empty cell of the column, to recognize it by. */
      example: z.string(),
    }),
  ),
  /** No column is mapped to a name or a phone: nothing can be imported until the owner maps one. */
  needsMapping: z.boolean(),
  totalRows: z.number().int(),
  validRows: z.number().int(),
  invalidRows: z.number().int(),
  /** create: new customers; update: existing ones the file updates; skip: rows not imported. */
  counts: z.object({ create: z.number().int(), update: z.number().int(), skip: z.number().int() }),
  /** Why rows are skipped: how many rows for each issue code, most common first. */
  skipReasons: z.array(z.object({ code: z.string(), rows: z.number().int() })),
  /** The first rows as they will be imported. */
  sample: z.array(
    z.object({
      line: z.number().int(),
      name: z.string(),
      phone: z.string().nullable(),
      phoneDisplay: z.string(),
      email: z.string().nullable(),
      status: customerStatusSchema,
      tags: z.array(z.string()),
      ok: z.boolean(),
      action: z.enum(IMPORT_ACTIONS),
    }),
  ),
  issues: z.array(importIssueSchema),
});

/**
 * The file's text, and optionally the owner's mapping (one target or null per column, in the
 * file's order; without it the suggested one) and whether rows matching an existing customer
 * (by phone, else by e-mail) update that customer (otherwise they are skipped).
 */
const csvInput = z
  .object({
    csv: z.string().min(1).max(10_000_000),
    mapping: z.array(z.enum(IMPORT_TARGETS).nullable()).min(1).max(500).optional(),
    update: z.boolean().default(false),
  })
  .strict();

/** A running export's id, chosen by the caller so it can follow the export's progress events. */
const exportId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'bad export id');

export const timelineKindSchema = z.enum(['call', 'whatsapp', 'task', 'contract', 'document', 'payment']);
export const timelineItemSchema = z.object({
  kind: timelineKindSchema,
  id,
  at: epochMs,
  /** in/out for calls and messages. */
  direction: z.enum(['in', 'out']).nullable(),
  /** The row's own status value (completed, read, signed, succeeded, done/open …). */
  status: z.string().nullable(),
  /** Message body, call summary, task/contract title, payment method … */
  text: z.string(),
  /** Call mode, task kind, document type, payment method. */
  subtype: z.string().nullable(),
  amountAgorot: agorot.nullable(),
  number: z.number().int().nullable(),
  durationSec: z.number().int().nullable(),
  dueAt: epochMs.nullable(),
});
export type TimelineItem = z.infer<typeof timelineItemSchema>;

export const boardStageSchema = z.object({
  stage: dealStageSchema,
  /** Deals in the stage matching the filters, and their ₪ total. */
  count: z.number().int(),
  totalAgorot: z.number().int(),
  deals: z.array(dealSchema),
  /** The next page of this stage (`crm.deals.stage`), null at its end. */
  nextCursor: z.string().nullable(),
});

/** The board's filters: customer, part of the title or customer name, ₪ amount, opening date. */
export const dealFiltersSchema = z.object({
  customerId: id.optional(),
  q: str(200).optional(),
  minAgorot: agorot.min(0).optional(),
  maxAgorot: agorot.min(0).optional(),
  createdFrom: epochMs.optional(),
  createdTo: epochMs.optional(),
});
const dealCursor = z
  .string()
  .max(40)
  .regex(/^-?\d{1,16}:\d{1,15}$/, 'bad cursor');

const taskFields = {
  customerId: id.nullable(),
  kind: taskKindSchema,
  title: str(200).min(1),
  description: str(10_000),
  dueAt: epochMs.nullable(),
  startsAt: epochMs.nullable(),
  endsAt: epochMs.nullable(),
  reminderAt: epochMs.nullable(),
};

const dateRange = z
  .object({ from: epochMs, to: epochMs })
  .strict()
  .refine((r) => r.to > r.from, { message: 'to must be after from' });

const countAndList = <T extends z.ZodType>(item: T) =>
  z.object({ count: z.number().int(), items: z.array(item) });

export const dashboardSchema = z.object({
  todayCalls: countAndList(
    z.object({
      id,
      customerId: id.nullable(),
      customerName: z.string().nullable(),
      from: z.string(),
      startedAt: epochMs,
      status: z.string(),
      mode: z.string(),
    }),
  ),
  newLeads: countAndList(customerListItemSchema),
  openTasks: z.object({ count: z.number().int(), overdue: z.number().int(), items: z.array(taskSchema) }),
  unreadWhatsapp: z.object({
    count: z.number().int(),
    customers: z.number().int(),
    items: z.array(
      z.object({
        id,
        customerId: id.nullable(),
        customerName: z.string().nullable(),
        body: z.string(),
        at: epochMs,
      }),
    ),
  }),
  unpaidInvoices: z.object({ count: z.number().int(), totalAgorot: z.number().int() }),
});
export type Dashboard = z.infer<typeof dashboardSchema>;

export const reportsSchema = z.object({
  from: epochMs,
  to: epochMs,
  callsPerDay: z.array(
    z.object({
      date: z.string(),
      total: z.number().int(),
      live: z.number().int(),
      fallback: z.number().int(),
      missed: z.number().int(),
    }),
  ),
  answer: z.object({
    total: z.number().int(),
    live: z.number().int(),
    fallback: z.number().int(),
    missed: z.number().int(),
    liveRate: z.number(),
  }),
  latencyPerDay: z.array(
    z.object({
      date: z.string(),
      avgTotalMs: z.number().int(),
      avgFirstAudioMs: z.number().int(),
      turns: z.number().int(),
    }),
  ),
  avgTurnLatencyMs: z.number().int(),
  leadsBySource: z.array(z.object({ source: customerSourceSchema, count: z.number().int() })),
  revenueByMonth: z.array(
    z.object({ month: z.string(), totalAgorot: z.number().int(), payments: z.number().int() }),
  ),
  openInvoices: z.object({
    count: z.number().int(),
    totalAgorot: z.number().int(),
    aging: z.array(
      z.object({
        bucket: z.enum(['0-30', '31-60', '61-90', '90+']),
        count: z.number().int(),
        totalAgorot: z.number().int(),
      }),
    ),
  }),
});
export type Reports = z.infer<typeof reportsSchema>;

export const searchResultSchema = z.object({
  customers: z.array(customerListItemSchema),
  deals: z.array(dealSchema),
  documents: z.array(
    z.object({
      id,
      type: z.string(),
      number: z.number().int(),
      customerId: id.nullable(),
      customerName: z.string().nullable(),
      totalAgorot: z.number().int(),
      issueDate: z.string(),
    }),
  ),
  messages: z.array(
    z.object({
      id,
      customerId: id.nullable(),
      customerName: z.string().nullable(),
      body: z.string(),
      at: epochMs,
      direction: z.enum(['in', 'out']),
    }),
  ),
});

const crm = 'crm_enabled' as const;

const tableCount = z.object({ table: z.string(), count: z.number().int() });
export const deleteImpactSchema = z.object({
  deals: z.number().int(),
  tasks: z.number().int(),
  /** Rows that stay and lose the link (calls, messages, documents, payments …), by table. */
  unlinked: z.array(tableCount),
  /** Rows that cannot exist without the customer (contracts): the delete is refused while any remain. */
  blocked: z.array(tableCount),
});

export const crmMethods = {
  'crm.customers.list': method({
    summary:
      'Customers: search (name, phone in any form, email, tag), filters, sort, pages of ≤ 100 with the total',
    feature: crm,
    input: pageInput
      .extend({
        ...customerFiltersSchema.shape,
        sort: customerSortSchema.default('created'),
        dir: z.enum(['asc', 'desc']).default('desc'),
      })
      .strict()
      .default({ page: 1, limit: 25, sort: 'created', dir: 'desc' }),
    output: paged(customerListItemSchema),
  }),
  'crm.customers.get': method({
    summary: 'One customer with stats, deals and open tasks',
    feature: crm,
    input: idInput.strict(),
    output: customerDetailSchema,
  }),
  'crm.customers.create': method({
    summary: 'Add a customer; the phone is normalized to E.164 and must be unique',
    feature: crm,
    input: customerCreateSchema,
    output: customerSchema,
  }),
  'crm.customers.update': method({
    summary: 'Change a customer',
    feature: crm,
    input: customerUpdateSchema,
    output: customerSchema,
  }),
  'crm.customers.merge': method({
    summary:
      'Merge the second customer into the first: history, deals, tasks, documents move; the second is removed',
    feature: crm,
    input: z
      .object({ targetId: id, sourceId: id })
      .strict()
      .refine((v) => v.targetId !== v.sourceId, { message: 'cannot merge a customer into itself' }),
    output: customerSchema,
  }),
  'crm.customers.deleteImpact': method({
    summary:
      'What deleting a customer would do: their deals and tasks go; other records lose the link or block it',
    feature: crm,
    input: z.object({ id }).strict(),
    output: deleteImpactSchema,
  }),
  'crm.customers.delete': method({
    summary: 'Delete a customer (refused while a record that cannot exist without them, a contract, remains)',
    feature: crm,
    input: z.object({ id }).strict(),
    output: deleteImpactSchema,
  }),
  'crm.customers.importPreview': method({
    summary:
      'Read a CSV (Hebrew or English headers, UTF-8 with or without BOM) and report what would be imported',
    feature: crm,
    input: csvInput,
    output: importPreviewSchema,
  }),
  'crm.customers.importCommit': method({
    summary:
      'Import the valid rows of a CSV in one transaction (new customers, and with update: the existing ones they match); invalid rows are reported and skipped',
    feature: crm,
    input: csvInput,
    output: z.object({
      imported: z.number().int(),
      updated: z.number().int(),
      skipped: z.number().int(),
      issues: z.array(importIssueSchema),
    }),
  }),
  'crm.customers.export': method({
    summary:
      'CSV (UTF-8 with BOM, Hebrew headers) of the customers matching the filters; with an exportId, crm.export.progress events follow it and crm.customers.exportCancel stops it',
    feature: crm,
    input: customerFiltersSchema.extend({ exportId: exportId.optional() }).strict().default({}),
    output: z.object({ filename: z.string(), csv: z.string(), rows: z.number().int() }),
  }),
  'crm.customers.exportCancel': method({
    summary: 'Stop a running export (it answers 409 export_cancelled); false when none runs under that id',
    feature: crm,
    input: z.object({ exportId }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  }),
  'crm.timeline': method({
    summary:
      "A customer's calls, WhatsApp messages, tasks, contracts, documents and payments, newest first, by cursor",
    feature: crm,
    input: z
      .object({
        customerId: id,
        /** `nextCursor` of the previous page. */
        cursor: z
          .string()
          .max(100)
          .regex(/^\d{1,15}:\d:\d{1,15}$/, 'bad cursor')
          .optional(),
        limit: z.number().int().min(1).max(100).default(30),
      })
      .strict(),
    output: z.object({ items: z.array(timelineItemSchema), nextCursor: z.string().nullable() }),
  }),
  'crm.deals.board': method({
    summary:
      'The pipeline: per stage the count, ₪ total and first deals (by position) of the deals matching the filters',
    feature: crm,
    input: dealFiltersSchema
      .extend({ limitPerStage: z.number().int().min(1).max(200).default(50) })
      .strict()
      .default({ limitPerStage: 50 }),
    output: z.object({ stages: z.array(boardStageSchema) }),
  }),
  'crm.deals.stage': method({
    summary: "One stage's next deals after a cursor, with the same filters as the board, until its end",
    feature: crm,
    input: dealFiltersSchema
      .extend({
        stage: dealStageSchema,
        cursor: dealCursor,
        limit: z.number().int().min(1).max(200).default(30),
      })
      .strict(),
    output: z.object({ deals: z.array(dealSchema), nextCursor: z.string().nullable() }),
  }),
  'crm.deals.create': method({
    summary: 'Open a deal for a customer',
    feature: crm,
    input: z
      .object({
        customerId: id,
        title: str(200).min(1),
        amountAgorot: agorot.min(0).default(0),
        stage: dealStageSchema.default('new'),
        expectedCloseDate: z.iso.date().nullable().optional(),
      })
      .strict(),
    output: dealSchema,
  }),
  'crm.deals.update': method({
    summary: 'Change a deal',
    feature: crm,
    input: z
      .object({
        id,
        title: str(200).min(1),
        amountAgorot: agorot.min(0),
        expectedCloseDate: z.iso.date().nullable(),
        lostReason: str(500).nullable(),
      })
      .partial()
      .required({ id: true })
      .strict(),
    output: dealSchema,
  }),
  'crm.deals.move': method({
    summary: 'Move a deal to a stage, before another deal (or last); won/lost dates are kept',
    feature: crm,
    input: z.object({ id, stage: dealStageSchema, beforeId: id.nullable().default(null) }).strict(),
    output: dealSchema,
  }),
  'crm.tasks.list': method({
    summary: 'Tasks: open ones by due date, done ones newest first; optionally of one customer',
    feature: crm,
    input: pageInput
      .extend({ status: z.enum(['open', 'done', 'all']).default('open'), customerId: id.optional() })
      .strict()
      .default({ page: 1, limit: 25, status: 'open' }),
    output: paged(taskSchema),
  }),
  'crm.tasks.create': method({
    summary: 'Add a task, call-back or appointment (with an optional reminder)',
    feature: crm,
    input: z
      .object({
        ...taskFields,
        customerId: id.nullable().default(null),
        kind: taskKindSchema.default('task'),
        description: str(10_000).default(''),
        dueAt: epochMs.nullable().default(null),
        startsAt: epochMs.nullable().default(null),
        endsAt: epochMs.nullable().default(null),
        reminderAt: epochMs.nullable().default(null),
      })
      .strict(),
    output: taskSchema,
  }),
  'crm.tasks.update': method({
    summary: 'Change a task; a new reminder time re-arms the reminder',
    feature: crm,
    input: z
      .object({ id, ...taskFields })
      .partial()
      .required({ id: true })
      .strict(),
    output: taskSchema,
  }),
  'crm.tasks.setDone': method({
    summary: 'Mark a task done or open again',
    feature: crm,
    input: z.object({ id, done: z.boolean() }).strict(),
    output: taskSchema,
  }),
  'crm.tasks.delete': method({
    summary: 'Delete a task',
    feature: crm,
    input: idInput.strict(),
    output: z.object({ ok: z.literal(true) }),
  }),
  'crm.calendar': method({
    summary:
      'Appointments and dated tasks between two instants (at most 62 days): per Israeli day its count and first items',
    feature: crm,
    input: z
      .object({
        from: epochMs,
        to: epochMs,
        /** Items returned per day (0: counts only); a day's items past them come with `offset`. */
        perDay: z.number().int().min(0).max(200).default(4),
        offset: z.number().int().min(0).max(1_000_000).default(0),
      })
      .strict()
      .refine((r) => r.to > r.from, { message: 'to must be after from' })
      .refine((r) => r.to - r.from <= 62 * 86_400_000, { message: 'at most 62 days' }),
    output: z.object({
      days: z.array(z.object({ start: epochMs, count: z.number().int(), items: z.array(taskSchema) })),
      total: z.number().int(),
    }),
  }),
  'crm.dashboard': method({
    summary: "Today's calls, new leads, open tasks, unread WhatsApp, unpaid invoices",
    feature: crm,
    input: empty,
    output: dashboardSchema,
  }),
  'crm.reports': method({
    summary:
      'Calls per day, live vs fallback, turn latency, leads by source, revenue by month, open invoices',
    feature: crm,
    input: dateRange.refine((r) => r.to - r.from <= 400 * 86_400_000, { message: 'at most 400 days' }),
    output: reportsSchema,
  }),
  'crm.search': method({
    summary: 'Global search (Ctrl+K) across customers, deals, documents and recent messages',
    feature: crm,
    input: z.object({ q: str(200).min(1) }).strict(),
    output: searchResultSchema,
  }),
};

export const crmEvents = {
  /** A task's reminder is due (also raised as a desktop notification). */
  'crm.reminder': z.object({
    taskId: id,
    title: z.string(),
    customerId: id.nullable(),
    customerName: z.string().nullable(),
    at: epochMs,
  }),
  /** A customer export moves on (about every 2,000 rows); the last one says done or cancelled. */
  'crm.export.progress': z.object({
    exportId: z.string(),
    phase: z.enum(['running', 'done', 'cancelled', 'failed']),
    rows: z.number().int(),
    total: z.number().int(),
    /** 0–100. */
    percent: z.number().min(0).max(100),
  }),
  /** Something in the CRM changed; open lists refresh. */
  'crm.changed': z.object({ entity: z.enum(['customer', 'deal', 'task']), id }),
};
