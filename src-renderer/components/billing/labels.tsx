import { he } from '../../i18n/he';
import type { DocType } from './types';

const STATUS_BADGE = { draft: 'badge-warn', issued: 'badge-ok', cancelled: 'badge' } as const;
const PAID_BADGE = { paid: 'badge-ok', partial: 'badge-info', unpaid: 'badge-fail' } as const;

export function DocStatusBadge({ status }: { status: 'draft' | 'issued' | 'cancelled' }) {
  return (
    <span className={`badge ${STATUS_BADGE[status]}`} data-testid="doc-status" data-status={status}>
      {he.billing.status[status]}
    </span>
  );
}

/** Paid state of a tax invoice; nothing for documents that are not paid (receipts, proposals, drafts). */
export function PaidBadge({
  doc,
  quiet,
}: {
  doc: { paidStatus: 'paid' | 'partial' | 'unpaid' | null; status: string };
  /** Nothing at all (not a dash) for a document that is not paid: in a title. */
  quiet?: boolean;
}) {
  if (!doc.paidStatus || doc.status !== 'issued') return quiet ? null : <span className="muted">—</span>;
  return (
    <span className={`badge ${PAID_BADGE[doc.paidStatus]}`} data-testid="doc-paid" data-paid={doc.paidStatus}>
      {he.billing.paidState[doc.paidStatus]}
    </span>
  );
}

/** "חשבונית מס 1024", or "חשבונית מס (טיוטה)" before it has a number. */
export function docTitle(d: { type: DocType; number: number | null }): string {
  return d.number != null
    ? `${he.billing.types[d.type]} ${d.number}`
    : `${he.billing.types[d.type]} (${he.billing.status.draft})`;
}

/** The document's name with its number isolated left-to-right. */
export function DocName({ doc }: { doc: { type: DocType; number: number | null } }) {
  return (
    <>
      {he.billing.types[doc.type]}{' '}
      {doc.number != null ? (
        <bdi className="num">{doc.number}</bdi>
      ) : (
        <span className="muted">({he.billing.status.draft})</span>
      )}
    </>
  );
}
