/**
 * Per-field problems of a refused input, in one small shape both sides read: the API's bad_input
 * answer carries them (`details.issues`, next to zod's flattened `fieldErrors`), and the renderer's
 * forms derive the same ones from the same contract schema before sending. The renderer turns a
 * `kind` into Hebrew (src-renderer/lib/form-errors.ts); nothing of what was typed is echoed back.
 */
import type { z } from 'zod';

export type FieldIssueKind =
  | 'required'
  | 'too_long'
  | 'too_many'
  | 'too_small'
  | 'too_big'
  | 'email'
  | 'format'
  | 'type'
  | 'choice'
  /** A domain rule's reason code in `reason` (a phone's: phone_mobile_length, …). */
  | 'rule'
  | 'invalid';

export interface FieldIssue {
  /** The field's path, e.g. ['phone'] or ['lines', 0, 'description']. */
  path: (string | number)[];
  kind: FieldIssueKind;
  /** For `rule`: the reason code. */
  reason?: string;
  /** For too_small / too_big on numbers. */
  limit?: number;
}

type Issue = z.core.$ZodIssue;

const mentionsEmail = (issue: Issue): boolean =>
  issue.code === 'invalid_union' &&
  issue.errors.some((branch) => branch.some((i) => i.code === 'invalid_format' && i.format === 'email'));

/** One zod issue as a field issue. */
export function toFieldIssue(issue: Issue): FieldIssue {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  switch (issue.code) {
    case 'too_small':
      if ((issue.origin === 'string' || issue.origin === 'array') && Number(issue.minimum) >= 1)
        return { path, kind: 'required' };
      return { path, kind: 'too_small', limit: Number(issue.minimum) };
    case 'too_big':
      if (issue.origin === 'string') return { path, kind: 'too_long', limit: Number(issue.maximum) };
      if (issue.origin === 'array') return { path, kind: 'too_many', limit: Number(issue.maximum) };
      return { path, kind: 'too_big', limit: Number(issue.maximum) };
    case 'invalid_format':
      return { path, kind: issue.format === 'email' ? 'email' : 'format' };
    case 'invalid_union':
      return { path, kind: mentionsEmail(issue) ? 'email' : 'invalid' };
    case 'invalid_type':
      return { path, kind: issue.input === undefined || issue.input === null ? 'required' : 'type' };
    case 'invalid_value':
      return { path, kind: 'choice' };
    case 'custom':
      return { path, kind: 'rule', reason: issue.message };
    default:
      return { path, kind: 'invalid' };
  }
}

/** Every issue of a refused input, as field issues (the order zod found them in). */
export const fieldIssues = (error: z.ZodError): FieldIssue[] => error.issues.map(toFieldIssue);

/**
 * A bad_input answer's `details`: zod's flattened errors (the first message per field) and the
 * field issues. Handlers that refuse a field themselves use `ruleDetails`.
 */
export const badInputDetails = (flattened: object, error: z.ZodError) => ({
  ...flattened,
  issues: fieldIssues(error),
});

/** The details of a handler's own refusal of fields: `{ phone: 'phone_star' }` → both shapes. */
export const ruleDetails = (reasons: Record<string, string>) => ({
  formErrors: [] as string[],
  fieldErrors: Object.fromEntries(Object.entries(reasons).map(([k, v]) => [k, [v]])),
  issues: Object.entries(reasons).map(([k, v]): FieldIssue => ({ path: [k], kind: 'rule', reason: v })),
});
