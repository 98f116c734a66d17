/**
 * Every field's problem at once, from the same zod schema the API validates with
 * (src-main/api/contract), in Hebrew; and the API's own field errors mapped onto the same fields.
 * Pure (no React, no window): the forms and their tests share it.
 */
import type { z } from 'zod';
import { ApiCallError } from '../../src-main/api/client';
import {
  crmMethods,
  customerCreateSchema,
  type CUSTOMER_SOURCES,
  type CUSTOMER_STATUSES,
  type DEAL_STAGES,
  type TASK_KINDS,
} from '../../src-main/api/contract/crm';
import { toFieldIssue, type FieldIssue } from '../../src-main/api/field-issues';
import type { DateTimeValue } from './datetime';
import { he } from '../i18n/he';
import { plural } from './plural';

export type FieldErrors = Record<string, string>;

/** A domain rule's reason code (a phone's, a task's) → its Hebrew sentence. */
const ruleMessages: Record<string, string> = {
  ...he.crm.form.phoneProblems,
  required: he.forms.required,
  before_start: he.crm.tasks.endBeforeStart,
};

/** The Hebrew message for one field issue (the kinds every form shares). */
export function issueMessage(issue: FieldIssue): string {
  switch (issue.kind) {
    case 'required':
      return he.forms.required;
    case 'too_short':
      return plural(issue.limit ?? 0, he.forms.tooShort);
    case 'too_long':
    case 'too_many':
      return he.forms.tooLong;
    case 'too_small':
      return issue.limit === 0 ? he.forms.negative : he.forms.invalid;
    case 'email':
      return he.forms.badEmail;
    case 'rule':
      return ruleMessages[issue.reason ?? ''] ?? he.forms.invalid;
    default:
      return he.forms.invalid;
  }
}

/** Which form field an issue belongs to: its top-level key, renamed where the form differs. */
const fieldOf = (issue: FieldIssue, rename: Record<string, string>): string => {
  const key = issue.path.length ? String(issue.path[0]) : '';
  return rename[key] ?? key;
};

/** Field issues → the first Hebrew message per field. */
export function issuesToErrors(
  issues: readonly FieldIssue[],
  message: (issue: FieldIssue) => string = issueMessage,
  rename: Record<string, string> = {},
): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = fieldOf(issue, rename);
    if (!(key in out)) out[key] = message(issue);
  }
  return out;
}

/** Every field's first problem by `schema` (the API's own input schema), in Hebrew. */
export function schemaErrors(
  schema: z.ZodType,
  value: unknown,
  message: (issue: FieldIssue) => string = issueMessage,
  rename: Record<string, string> = {},
): FieldErrors {
  const parsed = schema.safeParse(value);
  return parsed.success ? {} : issuesToErrors(parsed.error.issues.map(toFieldIssue), message, rename);
}

/**
 * The API's field errors of a bad_input answer, in Hebrew on the form's fields: its field issues
 * (`details.issues`), else zod's flattened messages read as reason codes.
 */
export function serverFieldErrors(
  err: unknown,
  message: (issue: FieldIssue) => string = issueMessage,
  rename: Record<string, string> = {},
): FieldErrors {
  if (!(err instanceof ApiCallError) || err.body.code !== 'bad_input') return {};
  const details = err.body.details as
    { issues?: FieldIssue[]; fieldErrors?: Record<string, string[]> } | undefined;
  const issues: FieldIssue[] = Array.isArray(details?.issues)
    ? details.issues
    : Object.entries(details?.fieldErrors ?? {}).map(([field, messages]) => ({
        path: [field],
        kind: 'rule' as const,
        reason: messages[0] ?? '',
      }));
  return issuesToErrors(issues, message, rename);
}

/* The CRM's forms: what each sends, and every problem with it, by the API's own input schema. */

/** The customer form as typed. */
export interface CustomerDraft {
  name: string;
  phone: string;
  email: string;
  status: (typeof CUSTOMER_STATUSES)[number];
  source: (typeof CUSTOMER_SOURCES)[number];
  tags: string;
  notes: string;
  address: string;
}

/** What the customer form sends to crm.customers.create / update. */
export const customerBody = (f: CustomerDraft) => ({
  name: f.name.trim(),
  phone: f.phone.trim() || null,
  email: f.email.trim() || null,
  status: f.status,
  source: f.source,
  tags: f.tags
    .split(/[,،]/)
    .map((x) => x.trim())
    .filter(Boolean),
  notes: f.notes,
  address: f.address.trim() || null,
});

/** Every problem of the customer form at once (the phone by the one phone parser, via the schema). */
export const customerFormErrors = (f: CustomerDraft): FieldErrors =>
  schemaErrors(customerCreateSchema, customerBody(f));

/** '1,500', '₪ 1500.50' → agorot; null when it is not an amount. */
export function shekelsToAgorot(text: string): number | null {
  const clean = text.replace(/[,₪\s]/g, '');
  if (!clean) return 0;
  if (!/^-?\d+(\.\d{1,2})?$/.test(clean)) return null;
  return Math.round(Number(clean) * 100);
}

/** The deal form as typed. */
export interface DealDraft {
  customerId: number | null;
  title: string;
  amount: string;
  stage: (typeof DEAL_STAGES)[number];
}

export const dealBody = (f: DealDraft) => ({
  customerId: f.customerId ?? undefined,
  title: f.title.trim(),
  amountAgorot: shekelsToAgorot(f.amount) ?? Number.NaN,
  stage: f.stage,
});

/** Every problem of the deal form at once, keyed customerId / title / amountAgorot / stage. */
export const dealFormErrors = (f: DealDraft): FieldErrors =>
  schemaErrors(crmMethods['crm.deals.create'].input, dealBody(f), dealMessage);

/** The amount's problems say what an amount looks like. */
export const dealMessage = (issue: FieldIssue): string =>
  issue.path[0] === 'amountAgorot'
    ? issue.kind === 'too_small'
      ? he.forms.negative
      : he.forms.badNumber
    : issueMessage(issue);

/** The task / call-back / appointment form as typed. */
export interface TaskDraft {
  kind: (typeof TASK_KINDS)[number];
  title: string;
  description: string;
  customerId: number | null;
  when: DateTimeValue;
  end: DateTimeValue;
  /** Minutes before `when`, '' for none. */
  reminder: string;
}

const instant = (v: DateTimeValue): number | null => (typeof v === 'number' ? v : null);

export const taskBody = (f: TaskDraft) => {
  const at = instant(f.when);
  const appointment = f.kind === 'appointment';
  return {
    kind: f.kind,
    title: f.title.trim(),
    description: f.description,
    customerId: f.customerId,
    dueAt: at,
    startsAt: appointment ? at : null,
    endsAt: appointment ? instant(f.end) : null,
    reminderAt: f.reminder !== '' && at !== null ? at - Number(f.reminder) * 60_000 : null,
  };
};

/** The API's task fields → the form's. */
export const TASK_FIELDS: Record<string, string> = { dueAt: 'when', startsAt: 'when', endsAt: 'end' };

/** Every problem of the task form at once, keyed by its fields: title, when, end, description. */
export function taskFormErrors(f: TaskDraft): FieldErrors {
  const out = schemaErrors(crmMethods['crm.tasks.create'].input, taskBody(f), issueMessage, TASK_FIELDS);
  const problem = (v: DateTimeValue) =>
    v !== null && typeof v === 'object' ? he.forms.dateTime.problems[v.problem] : undefined;
  const whenProblem = problem(f.when);
  if (whenProblem) out.when = whenProblem;
  else if (f.kind === 'appointment' && f.when === null) out.when = he.crm.tasks.startsRequired;
  if (f.kind === 'appointment') {
    const endProblem = problem(f.end);
    if (endProblem) out.end = endProblem;
    else if (typeof f.when === 'number' && typeof f.end === 'number' && f.end <= f.when)
      out.end = he.crm.tasks.endBeforeStart;
  }
  return out;
}
