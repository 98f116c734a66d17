import {
  CalendarCheck,
  CreditCard,
  FileSignature,
  FileText,
  MessageCircle,
  PhoneIncoming,
  PhoneOutgoing,
} from 'lucide-react';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { TimelineItem } from '../../../src-main/api/contract/crm';
import { api } from '../../api';
import { useEvent } from '../../api/hooks';
import { he } from '../../i18n/he';
import { formatDateTime, formatDuration, formatMoney } from '../../lib/format';
import { paymentDocument } from '../billing/paymentTarget';
import { EmptyState, ErrorState, Loading } from '../States';

const t = he.crm.timeline;
/** Calls that ended without anyone answering (a call still ringing shows how it is handled). */
const NOT_ANSWERED = new Set(['busy', 'failed', 'no-answer', 'canceled']);

function describe(i: TimelineItem): { title: string; text: string; extra?: string } {
  switch (i.kind) {
    case 'call':
      return {
        // How the call is handled; a call nobody answered says what happened instead.
        title: `${i.direction === 'out' ? t.callOut : t.callIn} · ${
          i.status && NOT_ANSWERED.has(i.status)
            ? he.calls.status[i.status as keyof typeof he.calls.status]
            : i.subtype === 'record'
              ? t.recorded
              : i.subtype === 'bridge'
                ? t.viaOwner
                : t.liveAgent
        }`,
        text: i.text,
        extra: i.durationSec ? formatDuration(i.durationSec) : undefined,
      };
    case 'whatsapp': {
      const kind = i.subtype && i.subtype !== 'text' ? he.whatsapp.kinds[i.subtype as 'image'] : '';
      return {
        title: `${i.direction === 'out' ? t.msgOut : t.msgIn}${kind ? ` · ${kind}` : ''}`,
        text: i.text,
      };
    }
    case 'task':
      return {
        title: `${he.crm.taskKind[(i.subtype ?? 'task') as 'task']} · ${i.status === 'done' ? t.taskDone : t.taskOpen}`,
        text: i.text,
        extra: i.dueAt ? `${t.due}: ${formatDateTime(i.dueAt)}` : undefined,
      };
    case 'contract':
      return { title: `${t.kinds.contract} · ${t.contractStatus[i.status ?? ''] ?? i.status}`, text: i.text };
    case 'document':
      return {
        title: `${t.docTypes[i.subtype ?? ''] ?? i.subtype} ${i.number ?? ''}${i.status === 'draft' || i.status === 'cancelled' ? ` (${he.billing.status[i.status]})` : ''}`,
        text: i.text,
        extra: i.amountAgorot != null ? formatMoney(i.amountAgorot) : undefined,
      };
    case 'payment':
      return {
        title: `${t.kinds.payment} · ${t.payMethods[i.subtype ?? ''] ?? i.subtype}`,
        text: i.text,
        extra: i.amountAgorot != null ? formatMoney(i.amountAgorot) : undefined,
      };
  }
}

const ICONS = {
  call: PhoneIncoming,
  whatsapp: MessageCircle,
  task: CalendarCheck,
  contract: FileSignature,
  document: FileText,
  payment: CreditCard,
};

/** The customer's merged history, newest first, loaded a page at a time. */
export function Timeline({ customerId }: { customerId: number }) {
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const navigate = useNavigate();
  // A payment opens the invoice it pays (or its receipt).
  const openPayment = (paymentId: number) =>
    void paymentDocument(customerId, paymentId)
      .then((docId) => navigate(docId ? `/invoices/${docId}` : '/invoices/payments'))
      .catch(() => navigate('/invoices/payments'));

  useEffect(() => {
    let live = true;
    setLoading(true);
    api
      .call('crm.timeline', { customerId, limit: 30 })
      .then((r) => {
        if (!live) return;
        setItems(r.items);
        setCursor(r.nextCursor);
        setError(undefined);
      })
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [customerId, tick]);
  useEvent('crm.changed', (e) => e.entity === 'task' && setTick((x) => x + 1));
  useEvent('call.updated', (e) => e.customerId === customerId && setTick((x) => x + 1));
  useEvent('whatsapp.message', (e) => e.message.customerId === customerId && setTick((x) => x + 1));

  const more = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const r = await api.call('crm.timeline', { customerId, limit: 30, cursor });
      setItems((xs) => [...xs, ...r.items]);
      setCursor(r.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  if (error !== undefined) return <ErrorState error={error} onRetry={() => setTick((x) => x + 1)} />;
  if (loading && items.length === 0) return <Loading />;
  if (items.length === 0) return <EmptyState title={t.empty} />;
  return (
    <>
      <ul className="timeline" data-testid="timeline">
        {items.map((i) => {
          const d = describe(i);
          const Icon = i.kind === 'call' && i.direction === 'out' ? PhoneOutgoing : ICONS[i.kind];
          return (
            <li key={`${i.kind}-${i.id}`} data-kind={i.kind}>
              <span className={`tl-icon ${i.kind}`}>
                <Icon size={16} />
              </span>
              <div>
                <div className="tl-title">
                  {/* A message opens its conversation. */}
                  {i.kind === 'whatsapp' ? (
                    <Link to={`/whatsapp/${customerId}`} data-testid="timeline-whatsapp-link">
                      {d.title}
                    </Link>
                  ) : i.kind === 'document' ? (
                    <Link to={`/invoices/${i.id}`} data-testid="timeline-document-link">
                      {d.title}
                    </Link>
                  ) : i.kind === 'payment' ? (
                    <a
                      href="#/invoices/payments"
                      data-testid="timeline-payment-link"
                      onClick={(e) => {
                        e.preventDefault();
                        openPayment(i.id);
                      }}
                    >
                      {d.title}
                    </a>
                  ) : (
                    d.title
                  )}
                </div>
                {d.text && <div className="tl-text">{d.text}</div>}
                {d.extra && (
                  <div className="muted" style={{ fontSize: 'var(--text-xs)' }}>
                    {d.extra}
                  </div>
                )}
              </div>
              <span className="tl-time">{formatDateTime(i.at)}</span>
            </li>
          );
        })}
      </ul>
      {cursor && (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <button className="btn btn-sm" disabled={loading} onClick={() => void more()}>
            {loading ? he.common.loading : t.more}
          </button>
        </div>
      )}
    </>
  );
}
