import { AlertTriangle, Construction, Inbox } from 'lucide-react';
import type { ReactNode } from 'react';
import { ApiCallError } from '../api';
import { he } from '../i18n/he';

export function Loading({ label = he.common.loading }: { label?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <div className="spinner" />
      <span>{label}</span>
    </div>
  );
}

/** A Hebrew message for an API error, and what to do about it. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiCallError) {
    if (error.status === 401) return he.common.unauthorized;
    if (error.body.code === 'feature_disabled') return he.common.featureDisabled;
    if (error.body.code === 'bad_input') return he.common.badInput;
    if (error.body.code === 'storage_full') return he.common.storageFull;
    // Online payments: not set up (501) / the provider refused or is down (409).
    const payments = he.paymentsSettings.errors[error.body.error];
    if (payments) return payments;
    return error.body.message;
  }
  return he.common.errorHint;
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="state" role="alert">
      <AlertTriangle className="icon" size={36} />
      <h2>{he.common.errorTitle}</h2>
      <p>{errorMessage(error)}</p>
      {onRetry && (
        <button className="btn" onClick={onRetry}>
          {he.common.retry}
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title = he.common.empty, children }: { title?: string; children?: ReactNode }) {
  return (
    <div className="state">
      <Inbox className="icon" size={36} />
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function ComingSoon({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} />
      <div className="card">
        <div className="state">
          <Construction className="icon" size={40} />
          <h2>{he.common.comingTitle}</h2>
          <p>{he.common.comingBody}</p>
        </div>
      </div>
    </>
  );
}

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: string;
  subtitle?: string;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p>{subtitle}</p>}
      </div>
      {actions && <div>{actions}</div>}
    </div>
  );
}
