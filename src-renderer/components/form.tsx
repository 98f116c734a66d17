/**
 * Forms: every field's problem at once, from the same zod schema the API validates with
 * (src-main/api/contract). A field's error shows once the owner left it or tried to save; the
 * API's own field errors (bad_input) land on the same fields.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { he } from '../i18n/he';
import type { FieldErrors } from '../lib/form-errors';
import '../styles/forms.css';

export { issueMessage, schemaErrors, serverFieldErrors, type FieldErrors } from '../lib/form-errors';

/**
 * The state of a form's errors: `errors` are computed from the current values on every render
 * (all fields at once); each shows once its field was left (`blur`) or a save was tried
 * (`submit`). Server errors show at once and clear when their field changes.
 */
export function useFormErrors(errors: FieldErrors) {
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  return useMemo(
    () => ({
      /** The message to show under a field now, or undefined. */
      error: (key: string): string | undefined =>
        server[key] ?? (submitted || touched.has(key) ? errors[key] : undefined),
      blur: (key: string) => setTouched((t) => (t.has(key) ? t : new Set(t).add(key))),
      /** Marks a save attempt; true when nothing is wrong. */
      submit: (): boolean => {
        setSubmitted(true);
        return Object.keys(errors).length === 0;
      },
      /** A field's value changed: its server error goes. */
      changed: (key: string) =>
        setServer((s) => {
          if (!(key in s)) return s;
          const { [key]: _gone, ...rest } = s;
          return rest;
        }),
      /**
       * A field's props in one: its value's setter (the server error goes when it changes), the
       * blur that shows its error, and the error to show.
       */
      bind: <T,>(key: string, set: (v: T) => void) => ({
        onChange: (v: T) => {
          set(v);
          setServer((s) => {
            if (!(key in s)) return s;
            const { [key]: _gone, ...rest } = s;
            return rest;
          });
        },
        onBlur: () => setTouched((t) => (t.has(key) ? t : new Set(t).add(key))),
        error: server[key] ?? (submitted || touched.has(key) ? errors[key] : undefined),
      }),
      setServer,
      submitted,
      valid: Object.keys(errors).length === 0,
    }),
    [errors, server, submitted, touched],
  );
}

/** Under a form: "fix the fields marked below" after a refused save, and a failure not tied to a field. */
export function FormProblems({
  check,
  failure,
}: {
  check: { submitted: boolean; valid: boolean };
  failure?: string;
}) {
  return (
    <>
      {check.submitted && !check.valid && (
        <div className="notice notice-error form-errors-summary" role="alert">
          {he.forms.fixBelow}
        </div>
      )}
      {failure && (
        <div className="notice notice-error form-errors-summary" role="alert">
          {failure}
        </div>
      )}
    </>
  );
}

/** Under a field: its error (`<id>-error`), else its hint (`<id>-hint`), for aria-describedby. */
export function FieldNote({ id, error, hint }: { id: string; error?: string; hint?: ReactNode }) {
  return error ? (
    <span className="error" id={`${id}-error`}>
      <FieldMessage text={error} />
    </span>
  ) : hint ? (
    <span className="muted field-hint" id={`${id}-hint`}>
      {typeof hint === 'string' ? <FieldMessage text={hint} /> : hint}
    </span>
  ) : null;
}

/** Numbers, phones, dates and times inside a Hebrew sentence ('050-123-4567', '31/12/2026'). */
const NUMBERS = /([+*]?\d[\d\-/.: ]*\d|\*\d+)/;

/**
 * A field's error or hint: its numbers isolated left to right and never split across lines (so
 * 'למשל 050-123-4567' does not wrap as '050-' / '123-4567').
 */
export function FieldMessage({ text }: { text: string }) {
  return (
    <>
      {text.split(NUMBERS).map((part, i) =>
        i % 2 ? (
          <bdi key={i} className="num">
            {part}
          </bdi>
        ) : (
          part
        ),
      )}
    </>
  );
}

/**
 * A labelled text input (or textarea) with its error or hint under it, wired for screen readers:
 * the one text field of every form.
 */
export function TextField({
  id,
  label,
  value,
  onChange,
  onBlur,
  error,
  hint,
  ltr,
  multiline,
  inputMode,
  type,
  name,
  maxLength,
  placeholder,
  autoComplete,
  className,
  after,
  testId,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  onBlur?: () => void;
  error?: string;
  hint?: ReactNode;
  /** Phones, e-mails, amounts, keys: typed left to right. */
  ltr?: boolean;
  multiline?: boolean;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'tel' | 'email' | 'url';
  type?: 'text' | 'password' | 'email' | 'tel' | 'url';
  name?: string;
  maxLength?: number;
  placeholder?: string;
  autoComplete?: string;
  className?: string;
  /** Below the error or hint (e.g. a link to an existing record). */
  after?: ReactNode;
  testId?: string;
}) {
  const described = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  const common = {
    id,
    name,
    value,
    maxLength,
    placeholder,
    autoComplete,
    dir: ltr ? ('ltr' as const) : undefined,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': described,
    'data-testid': testId,
    onBlur,
  };
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} className="textarea" onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          className="input"
          type={type}
          inputMode={inputMode}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      <FieldNote id={id} error={error} hint={hint} />
      {after}
    </div>
  );
}
