import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../src-main/api/client';
import { crmMethods, customerCreateSchema } from '../../src-main/api/contract/crm';
import { fieldIssues } from '../../src-main/api/field-issues';
import { he } from '../../src-renderer/i18n/he';
import {
  customerFormErrors,
  issueMessage,
  TASK_FIELDS,
  dealFormErrors,
  serverFieldErrors,
  shekelsToAgorot,
  taskFormErrors,
  type CustomerDraft,
  type TaskDraft,
} from '../../src-renderer/lib/form-errors';

const f = he.forms;
const emptyCustomer: CustomerDraft = {
  name: '',
  phone: '',
  email: '',
  status: 'lead',
  source: 'manual',
  tags: '',
  notes: '',
  address: '',
};

describe('every field of a form is checked at once, by the schema the API validates with', () => {
  it('a customer form with no name, a bad e-mail and an impossible phone: all three at once', () => {
    const errors = customerFormErrors({ ...emptyCustomer, email: 'noa@', phone: '050-12' });
    expect(errors).toEqual({
      name: f.required,
      email: f.badEmail,
      phone: he.crm.form.phoneProblems.phone_mobile_length,
    });
  });

  it('flags every kind of bad phone with its own reason (the one phone parser, via the contract)', () => {
    const reason = (phone: string) => customerFormErrors({ ...emptyCustomer, name: 'נועה', phone }).phone;
    expect(reason('1-800-123-456')).toBeUndefined();
    expect(reason('02-6234567')).toBeUndefined();
    expect(reason('*2700')).toBeUndefined();
    expect(reason('+44 20 7946 0958')).toBeUndefined();
    expect(reason('050-123456')).toBe(he.crm.form.phoneProblems.phone_mobile_length);
    expect(reason('050-ABC-4567')).toBe(he.crm.form.phoneProblems.phone_chars);
    expect(reason('*27')).toBe(he.crm.form.phoneProblems.phone_star);
  });

  it('too long texts and too many tags are caught before sending', () => {
    const errors = customerFormErrors({
      ...emptyCustomer,
      name: 'א'.repeat(121),
      notes: 'x'.repeat(10_001),
      tags: 'א'.repeat(41),
    });
    expect(errors).toEqual({ name: f.tooLong, notes: f.tooLong, tags: f.tooLong });
  });

  it('a valid customer has no errors, and what the form sends passes the API schema', () => {
    const draft = { ...emptyCustomer, name: 'נועה ברגר', phone: '050-1234567', tags: 'VIP, חדש' };
    expect(customerFormErrors(draft)).toEqual({});
    expect(
      crmMethods['crm.customers.create'].input.safeParse({ name: 'נועה', phone: '050-12' }).success,
    ).toBe(false);
  });

  it('the deal form: no customer, no title and a non-number amount at once', () => {
    expect(dealFormErrors({ customerId: null, title: '', amount: '12a', stage: 'new' })).toEqual({
      customerId: f.required,
      title: f.required,
      amountAgorot: f.badNumber,
    });
    expect(dealFormErrors({ customerId: 3, title: 'מזגן', amount: '-5', stage: 'new' })).toEqual({
      amountAgorot: f.negative,
    });
    expect(dealFormErrors({ customerId: 3, title: 'מזגן', amount: '₪ 14,500.5', stage: 'new' })).toEqual({});
    expect(shekelsToAgorot('14,500.50')).toBe(1_450_050);
    expect(shekelsToAgorot('')).toBe(0);
    expect(shekelsToAgorot('1.234')).toBeNull();
  });

  it('the task form: title, a bad date and an end before the start, all at once', () => {
    const base: TaskDraft = {
      kind: 'appointment',
      title: '',
      description: '',
      customerId: null,
      when: { problem: 'date' },
      end: null,
      reminder: '',
    };
    expect(taskFormErrors(base)).toEqual({ title: f.required, when: f.dateTime.problems.date });
    expect(taskFormErrors({ ...base, title: 'פגישה', when: null })).toEqual({
      when: he.crm.tasks.startsRequired,
    });
    expect(taskFormErrors({ ...base, title: 'פגישה', when: 2_000_000, end: 1_000_000 })).toEqual({
      end: he.crm.tasks.endBeforeStart,
    });
    expect(taskFormErrors({ ...base, kind: 'task', title: 'להתקשר', when: null })).toEqual({});
  });

  it("the API's own field errors land on the fields, a phone with its reason", () => {
    const err = new ApiCallError(400, {
      code: 'bad_input',
      message: 'invalid input',
      details: { formErrors: [], fieldErrors: { phone: ['phone_star'], email: ['Invalid email'] } },
    } as never);
    expect(serverFieldErrors(err)).toEqual({ phone: he.crm.form.phoneProblems.phone_star, email: f.invalid });
    expect(serverFieldErrors(new Error('x'))).toEqual({});
  });

  it("the API's per-field issues (details.issues) land on the form's fields in Hebrew, renamed where the form differs", () => {
    const err = new ApiCallError(400, {
      code: 'bad_input',
      message: 'invalid input',
      details: {
        formErrors: [],
        fieldErrors: { dueAt: ['x'] },
        issues: [
          { path: ['dueAt'], kind: 'type' },
          { path: ['endsAt'], kind: 'rule', reason: 'before_start' },
          { path: ['title'], kind: 'too_long', limit: 200 },
          { path: ['title'], kind: 'required' },
        ],
      },
    } as never);
    expect(serverFieldErrors(err, undefined, TASK_FIELDS)).toEqual({
      when: f.invalid,
      end: he.crm.tasks.endBeforeStart,
      title: f.tooLong,
    });
  });

  it('the issues the form computes are the ones the API sends (one shape, one mapping)', () => {
    const body = { name: '', phone: '050-12', email: 'noa@' };
    const parsed = customerCreateSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    const issues = fieldIssues(parsed.error!);
    expect(issues).toEqual([
      { path: ['name'], kind: 'required' },
      { path: ['phone'], kind: 'rule', reason: 'phone_mobile_length' },
      { path: ['email'], kind: 'email' },
    ]);
    expect(issues.map(issueMessage)).toEqual([
      f.required,
      he.crm.form.phoneProblems.phone_mobile_length,
      f.badEmail,
    ]);
  });
});
