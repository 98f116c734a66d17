/**
 * The public signing page (`/sign/<token>` on the public server): it reads the contract from
 * `/sign/<token>/contract`, shows the shared signing form, and posts the signature to
 * `/sign/<token>`. A link that does not work shows only its reason (the server tells no more).
 */
import { useCallback, useEffect, useState } from 'react';
import type { Block } from '../../src-main/contracts/text';
import { signingHe as t } from '../i18n/he';
import { fieldErrorsFrom } from '../signing/errors';
import {
  SignatureForm,
  SigningMessage,
  type SignatureSubmission,
  type SigningContract,
  type SubmitOutcome,
} from '../signing/SignatureForm';

type Reason = keyof typeof t.reasons;
type State =
  | { kind: 'loading' }
  | { kind: 'stop'; reason: Reason }
  | { kind: 'form'; contract: SigningContract }
  | { kind: 'done' };

/** The body must fit the route's limit (512 kB). */
const MAX_BODY_CHARS = 500_000;

function linkToken(): string {
  try {
    return decodeURIComponent(window.location.pathname.split('/')[2] ?? '');
  } catch {
    return '';
  }
}

const REFUSALS: Record<string, Reason> = { expired: 'expired', used: 'used', locked: 'locked' };

/** The page's reason for an answer that is not the contract. */
function reasonOf(status: number, body: unknown): Reason {
  const r = (body as { reason?: unknown } | null)?.reason;
  if (status === 403) return 'off';
  if (status === 410) return REFUSALS[String(r)] ?? 'invalid';
  if (status === 404) return 'invalid';
  return 'unavailable';
}

const json = async (res: Response): Promise<unknown> => {
  try {
    return await res.json();
  } catch {
    return null;
  }
};

export function RemoteSigning() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const base = `/sign/${encodeURIComponent(linkToken())}`;

  const load = useCallback(async () => {
    setState({ kind: 'loading' });
    try {
      const res = await fetch(`${base}/contract`, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
      });
      const body = (await json(res)) as {
        ok?: boolean;
        contract?: SigningContract & { blocks: Block[] };
      } | null;
      if (res.ok && body?.ok && body.contract) setState({ kind: 'form', contract: body.contract });
      else setState({ kind: 'stop', reason: reasonOf(res.status, body) });
    } catch {
      setState({ kind: 'stop', reason: 'unavailable' });
    }
  }, [base]);

  useEffect(() => {
    void load();
  }, [load]);

  const submit = async (s: SignatureSubmission): Promise<SubmitOutcome> => {
    const payload = JSON.stringify(s);
    if (payload.length > MAX_BODY_CHARS) return { ok: false, fields: { signature: 'signatureTooLarge' } };
    let res: Response;
    try {
      res = await fetch(base, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: payload,
        cache: 'no-store',
      });
    } catch {
      return { ok: false, message: t.errors.network };
    }
    const body = await json(res);
    if (res.ok) {
      setState({ kind: 'done' });
      return { ok: true };
    }
    if (res.status === 400) {
      const fields = fieldErrorsFrom(body);
      return Object.keys(fields).length ? { ok: false, fields } : { ok: false, message: t.errors.later };
    }
    if (res.status === 413) return { ok: false, fields: { signature: 'signatureTooLarge' } };
    if (res.status === 429) return { ok: false, message: t.errors.rateLimited };
    if (res.status === 403 || res.status === 404 || res.status === 410) {
      setState({ kind: 'stop', reason: reasonOf(res.status, body) });
      return { ok: true };
    }
    return { ok: false, message: t.errors.later };
  };

  return (
    <main className="sg-screen">
      <div className="sg-wrap">
        {state.kind === 'loading' && (
          <p className="sg-loading" role="status">
            {t.loading}
          </p>
        )}
        {state.kind === 'form' && <SignatureForm contract={state.contract} onSubmit={submit} />}
        {state.kind === 'done' && (
          <SigningMessage tone="ok" title={t.done.title} testId="signing-done">
            <p>{t.done.body}</p>
          </SigningMessage>
        )}
        {state.kind === 'stop' && (
          <SigningMessage
            tone={state.reason === 'used' ? 'ok' : 'stop'}
            title={t.reasons[state.reason].title}
            testId="signing-stop"
          >
            <p data-testid="signing-reason" data-reason={state.reason}>
              {t.reasons[state.reason].body}
            </p>
            {state.reason === 'unavailable' && (
              <button type="button" className="sg-btn sg-btn-primary" onClick={() => void load()}>
                {t.retry}
              </button>
            )}
          </SigningMessage>
        )}
      </div>
    </main>
  );
}
