/**
 * The one signing form, for the customer in the office (CRM bundle) and on the public link (the
 * signing page's own bundle): the contract's text in large type, read to its end before the
 * signature opens, the signer's name (and Israeli ID when the contract asks for it, check digit
 * included), the signature pad, consent, confirm. It submits exactly what the API and the public
 * route take: `{name, idNumber?, consent: true, strokes, png}`.
 */
import type { z } from 'zod';
import type { signatureInputSchema } from '../../src-main/api/contract/contracts';
import { Fragment, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { validIsraeliId, type Block } from '../../src-main/contracts/text';
import { signingHe as t } from '../i18n/he';
import type { FieldErrors, SignErrorKey, SignField } from './errors';
import { SignatureCanvas, type SignatureHandle } from './SignatureCanvas';
import './signing.css';

export interface SigningContract {
  title: string;
  number: string | null;
  business: string;
  blocks: Block[];
  requiresIdNumber: boolean;
}

/** What the API (`contracts.signInOffice`) and the public route (`POST /sign/<token>`) take. */
export type SignatureSubmission = z.infer<typeof signatureInputSchema>;

export type SubmitOutcome = { ok: true } | { ok: false; fields?: FieldErrors; message?: string };

/** The API's limits: the PNG data URL (signatureInputSchema), the strokes as JSON (service.ts). */
const MAX_PNG_CHARS = 420_000;
const MAX_STROKES_CHARS = 400_000;
const FIELD_ORDER: SignField[] = ['name', 'idNumber', 'signature', 'consent'];

/** Digits only: people type IDs with spaces or a dash before the check digit. */
const idDigits = (s: string) => s.replace(/[\s-]/g, '');

export function ContractDocument({ blocks }: { blocks: Block[] }) {
  return (
    <>
      {blocks.map((b, i) =>
        b.kind === 'p' ? (
          <p key={i}>
            {b.runs.map((r, j) =>
              r.bold ? <strong key={j}>{r.text}</strong> : <Fragment key={j}>{r.text}</Fragment>,
            )}
          </p>
        ) : b.kind === 'h1' ? (
          <h2 key={i}>{b.text}</h2>
        ) : (
          <h3 key={i}>{b.text}</h3>
        ),
      )}
    </>
  );
}

export function SignatureForm({
  contract,
  onSubmit,
}: {
  contract: SigningContract;
  onSubmit: (s: SignatureSubmission) => Promise<SubmitOutcome>;
}) {
  const uid = useId();
  const ids = {
    gate: `${uid}-gate`,
    name: `${uid}-name`,
    idNumber: `${uid}-id`,
    idHint: `${uid}-id-hint`,
    padHint: `${uid}-pad-hint`,
    consent: `${uid}-consent`,
    err: (f: SignField) => `${uid}-err-${f}`,
  };
  const [read, setRead] = useState(false);
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  const pad = useRef<SignatureHandle>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const idRef = useRef<HTMLInputElement>(null);
  const consentRef = useRef<HTMLInputElement>(null);

  // The signature opens once the end of the text has been on screen (sticky: scrolling back up
  // to re-read does not close it again).
  useEffect(() => {
    const el = end.current;
    if (!el || read) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setRead(true);
    });
    io.observe(el);
    // And on every scroll (any scroller: capture), in case an observer report is late or missed.
    const check = () => {
      const r = el.getBoundingClientRect();
      if (r.top < window.innerHeight && r.bottom >= 0) setRead(true);
    };
    window.addEventListener('scroll', check, { passive: true, capture: true });
    window.addEventListener('resize', check);
    check();
    return () => {
      io.disconnect();
      window.removeEventListener('scroll', check, { capture: true });
      window.removeEventListener('resize', check);
    };
  }, [read]);

  const focusField = (f: SignField) =>
    ({
      name: () => nameRef.current?.focus(),
      idNumber: () => idRef.current?.focus(),
      signature: () => pad.current?.focus(),
      consent: () => consentRef.current?.focus(),
    })[f]();

  /** A field the signer changes loses its error (the list and the field say only what is left). */
  const fixed = (f: SignField) => setErrors((e) => (e[f] ? { ...e, [f]: undefined } : e));

  const show = (found: FieldErrors) => {
    setErrors(found);
    const first = FIELD_ORDER.find((f) => found[f]);
    if (first) focusField(first);
  };

  const check = (): FieldErrors => {
    const found: FieldErrors = {};
    const n = name.trim();
    if (n.length < 2 || n.length > 120) found.name = 'name';
    if (contract.requiresIdNumber && !validIsraeliId(idDigits(idNumber))) found.idNumber = 'idNumber';
    if (pad.current?.isEmpty() ?? true) found.signature = 'signature';
    if (!consent) found.consent = 'consent';
    return found;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!read || busy) return;
    setMessage(undefined);
    const found = check();
    if (Object.keys(found).length) return show(found);
    const png = pad.current!.png(MAX_PNG_CHARS);
    const strokes = pad.current!.strokes();
    if (png.length > MAX_PNG_CHARS || JSON.stringify(strokes).length > MAX_STROKES_CHARS)
      return show({ signature: 'signatureTooLarge' });
    setErrors({});
    setBusy(true);
    try {
      const r = await onSubmit({
        name: name.trim(),
        ...(contract.requiresIdNumber ? { idNumber: idDigits(idNumber) } : {}),
        consent: true,
        strokes,
        png,
      });
      if (!r.ok) {
        if (r.fields && Object.keys(r.fields).length) show(r.fields);
        setMessage(r.message);
      }
    } finally {
      setBusy(false);
    }
  };

  const listed = FIELD_ORDER.filter((f) => errors[f]);
  const err = (f: SignField): ReactNode =>
    errors[f] ? (
      <p className="sg-field-error" id={ids.err(f)}>
        {t.errors[errors[f] as SignErrorKey]}
      </p>
    ) : null;
  const describe = (f: SignField, ...more: string[]) =>
    [...more, errors[f] ? ids.err(f) : ''].filter(Boolean).join(' ') || undefined;

  return (
    <article className="sg-form" data-testid="signing-form">
      <header className="sg-head">
        {contract.business && (
          <p className="sg-business">
            {t.from} <span data-testid="signing-business">{contract.business}</span>
          </p>
        )}
        <h1 className="sg-title">{contract.title}</h1>
        {contract.number && (
          <p className="sg-number">
            {t.number} <bdi dir="ltr">{contract.number}</bdi>
          </p>
        )}
      </header>

      <section className="sg-doc" aria-label={t.documentLabel} data-testid="signing-document">
        <ContractDocument blocks={contract.blocks} />
      </section>
      <div className="sg-end" ref={end} data-testid="signing-end">
        {t.endOfDocument}
      </div>

      <form className="sg-sign" noValidate onSubmit={submit} aria-labelledby={`${uid}-sign-title`}>
        <h2 id={`${uid}-sign-title`}>{t.signTitle}</h2>
        <p
          id={ids.gate}
          className={read ? 'sg-gate sg-gate-open' : 'sg-gate'}
          role="status"
          data-testid="signing-gate"
          data-open={read || undefined}
        >
          {read ? t.readDone : t.readFirst}
        </p>
        <fieldset
          className="sg-fields"
          disabled={!read || busy}
          aria-describedby={read ? undefined : ids.gate}
        >
          <div className="sg-field">
            <label htmlFor={ids.name}>{t.name}</label>
            <input
              ref={nameRef}
              id={ids.name}
              className="sg-input"
              autoComplete="name"
              maxLength={120}
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                fixed('name');
              }}
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={describe('name')}
              data-testid="signer-name"
            />
            {err('name')}
          </div>
          {contract.requiresIdNumber && (
            <div className="sg-field">
              <label htmlFor={ids.idNumber}>{t.idNumber}</label>
              <input
                ref={idRef}
                id={ids.idNumber}
                className="sg-input sg-input-ltr"
                dir="ltr"
                inputMode="numeric"
                autoComplete="off"
                maxLength={11}
                value={idNumber}
                onChange={(e) => {
                  setIdNumber(e.target.value);
                  fixed('idNumber');
                }}
                aria-invalid={errors.idNumber ? true : undefined}
                aria-describedby={describe('idNumber', ids.idHint)}
                data-testid="signer-id"
              />
              <p className="sg-hint" id={ids.idHint}>
                {t.idHint}
              </p>
              {err('idNumber')}
            </div>
          )}
          <div className="sg-field">
            <span className="sg-label" id={`${uid}-pad-label`}>
              {t.padLabel}
            </span>
            <p className="sg-hint" id={ids.padHint}>
              {t.padHint}
            </p>
            <SignatureCanvas
              ref={pad}
              disabled={!read || busy}
              invalid={!!errors.signature}
              describedBy={describe('signature', ids.padHint)}
              onChange={(isEmpty) => {
                if (!isEmpty) fixed('signature');
              }}
            />
            {err('signature')}
          </div>
          <div className="sg-field sg-consent">
            <input
              ref={consentRef}
              type="checkbox"
              id={ids.consent}
              checked={consent}
              onChange={(e) => {
                setConsent(e.target.checked);
                fixed('consent');
              }}
              aria-invalid={errors.consent ? true : undefined}
              aria-describedby={describe('consent')}
              data-testid="signer-consent"
            />
            <label htmlFor={ids.consent}>{t.consent}</label>
            {err('consent')}
          </div>
          <div className="sg-alert" role="alert" data-testid="signing-errors">
            {listed.length > 0 && (
              <>
                <p>{t.errors.title}</p>
                <ul>
                  {listed.map((f) => (
                    <li key={f}>{t.errors[errors[f] as SignErrorKey]}</li>
                  ))}
                </ul>
              </>
            )}
            {message && <p>{message}</p>}
          </div>
          <button type="submit" className="sg-btn sg-btn-primary sg-confirm" data-testid="signing-confirm">
            {busy ? t.sending : t.confirm}
          </button>
        </fieldset>
      </form>
    </article>
  );
}

/** A whole-screen message: signed, or why the contract cannot be signed. */
export function SigningMessage({
  tone,
  title,
  children,
  testId,
}: {
  tone: 'ok' | 'stop';
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => h.current?.focus(), []);
  return (
    <section className={`sg-message sg-message-${tone}`} data-testid={testId} data-tone={tone}>
      <div className="sg-message-mark" aria-hidden="true">
        {tone === 'ok' ? '✓' : '!'}
      </div>
      <h1 ref={h} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </section>
  );
}
