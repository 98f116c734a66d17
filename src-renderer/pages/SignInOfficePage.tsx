/**
 * Signing in the office (`#/sign-in-office/:id`): the customer reads and signs on this screen.
 * It is outside the owner's layout (App.tsx): no navigation, nothing of the CRM within reach,
 * only the owner's exit back to the contract, behind a confirmation.
 */
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import type { z } from 'zod';
import type { contractDetailSchema } from '../../src-main/api/contract/contracts';
import { toBlocks } from '../../src-main/contracts/text';
import { ApiCallError, api } from '../api';
import { useQuery } from '../api/hooks';
import { useApp } from '../app-context';
import { signingHe as t } from '../i18n/he';
import { fieldErrorsFrom } from '../signing/errors';
import {
  SignatureForm,
  SigningMessage,
  type SignatureSubmission,
  type SubmitOutcome,
} from '../signing/SignatureForm';

type Contract = z.infer<typeof contractDetailSchema>;

function outcomeOf(e: unknown): SubmitOutcome {
  if (e instanceof ApiCallError) {
    if (e.status === 400) {
      const fields = fieldErrorsFrom(e.body);
      if (Object.keys(fields).length) return { ok: false, fields };
    }
    if (e.status === 403) return { ok: false, message: t.reasons.off.body };
    if (e.status === 429) return { ok: false, message: t.errors.rateLimited };
  }
  return { ok: false, message: t.errors.later };
}

function FullscreenButton() {
  const [on, setOn] = useState(() => !!document.fullscreenElement);
  if (!document.fullscreenEnabled || on) return null;
  return (
    <button
      type="button"
      className="sg-btn"
      onClick={() =>
        void document.documentElement
          .requestFullscreen()
          .then(() => setOn(true))
          .catch(() => undefined)
      }
    >
      {t.inOffice.fullscreen}
    </button>
  );
}

/** The owner's way out, asked twice so a customer does not leave by accident. */
function Exit({ onExit }: { onExit: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="sg-btn" onClick={() => setAsking(true)} data-testid="signing-exit">
        {t.inOffice.exit}
      </button>
    );
  return (
    <div className="sg-exit" role="group" aria-label={t.inOffice.exit}>
      <p>{t.inOffice.exitConfirm}</p>
      <button type="button" className="sg-btn sg-btn-primary" onClick={onExit} data-testid="signing-exit-yes">
        {t.inOffice.exitYes}
      </button>
      <button type="button" className="sg-btn" onClick={() => setAsking(false)}>
        {t.inOffice.exitNo}
      </button>
    </div>
  );
}

export function SignInOfficePage() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const { business } = useApp();
  const q = useQuery(() => api.call('contracts.get', { id }), [id]);
  const [signed, setSigned] = useState<Contract>();
  const back = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    navigate(`/contracts/${id}`);
  };
  const c = signed ?? q.data;

  const submit = async (s: SignatureSubmission): Promise<SubmitOutcome> => {
    try {
      setSigned(await api.call('contracts.signInOffice', { id, ...s }));
      return { ok: true };
    } catch (e) {
      return outcomeOf(e);
    }
  };

  const backButton = (
    <button type="button" className="sg-btn sg-btn-primary" onClick={back} data-testid="signing-back">
      {t.inOffice.backToContract}
    </button>
  );

  let body;
  let form = false;
  if (q.error !== undefined && !c)
    body = (
      <SigningMessage tone="stop" title={t.reasons.unavailable.title}>
        <p>{t.reasons.unavailable.body}</p>
        <button type="button" className="sg-btn sg-btn-primary" onClick={q.reload}>
          {t.retry}
        </button>{' '}
        {backButton}
      </SigningMessage>
    );
  else if (!c)
    body = (
      <p className="sg-loading" role="status">
        {t.loading}
      </p>
    );
  else if (c.status === 'signed')
    body = (
      <SigningMessage tone="ok" title={signed ? t.done.title : t.reasons.used.title} testId="signing-done">
        <p>
          {t.inOffice.signedAt} <bdi data-testid="signing-signer">{c.signer?.name}</bdi>
        </p>
        {backButton}
      </SigningMessage>
    );
  else if (c.status === 'cancelled' || c.missing.length > 0)
    body = (
      <SigningMessage tone="stop" title={t.reasons.off.title} testId="signing-stop">
        <p>{c.status === 'cancelled' ? t.inOffice.cancelled : t.inOffice.missing}</p>
        {backButton}
      </SigningMessage>
    );
  else {
    form = true;
    body = (
      <SignatureForm
        contract={{
          title: c.title,
          number: c.number,
          business: business?.name ?? '',
          blocks: toBlocks(c.body),
          requiresIdNumber: c.requiresIdNumber,
        }}
        onSubmit={submit}
      />
    );
  }

  return (
    <div className="sg-screen sg-office" data-testid="sign-in-office">
      {form && (
        <div className="sg-bar">
          <p className="sg-bar-text">{t.inOffice.handOver}</p>
          <FullscreenButton />
          <Exit onExit={back} />
        </div>
      )}
      <main className="sg-wrap">{body}</main>
    </div>
  );
}
