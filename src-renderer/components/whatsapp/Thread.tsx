import { ArrowRight, Bot, RotateCcw } from 'lucide-react';
import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import type { WaConversation, WaMessage } from '../../../src-main/api/contract/whatsapp';
import { api, ApiCallError } from '../../api';
import { useEvent } from '../../api/hooks';
import { he } from '../../i18n/he';
import { PhoneNumber } from '../format';
import { formatDateTime, formatTime } from '../../lib/format';
import { EmptyState, ErrorState, Loading } from '../States';
import { Composer, type ProviderCaps } from './Composer';
import { avatarTone, initial } from './ConversationList';
import { failureText, sendErrorText } from './errors';
import { conversationName, dayKey, dayLabel, fill } from './format';
import { MediaPreview } from './MediaPreview';
import { Ticks } from './Ticks';

const t = he.whatsapp;
const PAGE = 50;

interface ThreadState {
  items: WaMessage[];
  hasMore: boolean;
  conversation: WaConversation | null;
  canSendText: boolean;
}

/** Outbound progress; a later copy of a message never moves it back (events can overtake answers). */
const RANK: Record<WaMessage['status'], number> = {
  received: 0,
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
};
const newer = (old: WaMessage, m: WaMessage): WaMessage =>
  RANK[m.status] >= RANK[old.status]
    ? { ...old, ...m }
    : { ...m, status: old.status, sentAt: old.sentAt, deliveredAt: old.deliveredAt, readAt: old.readAt };

/** Keeps a message list sorted by id with no duplicates (an event and a send answer may both bring one). */
function upsert(items: WaMessage[], m: WaMessage, retried = false): WaMessage[] {
  const i = items.findIndex((x) => x.id === m.id);
  // Only the answer to the owner's retry moves a failed message back to queued; a late answer
  // to the first send (queued, after the failure's event) must not hide the failure.
  if (i >= 0)
    return items.map((x) => (x.id === m.id ? (retried && x.status === 'failed' ? m : newer(x, m)) : x));
  const next = [...items, m];
  return next[next.length - 2] && next[next.length - 2]!.id > m.id ? next.sort((a, b) => a.id - b.id) : next;
}

/**
 * One conversation, WhatsApp-like and right to left: the customer's messages on the right, ours
 * on the left with delivery ticks, a separator per day, media previews, a failed message with its
 * Hebrew reason and a retry. Opening it marks the customer's messages read.
 */
export function Thread({ customerId, caps }: { customerId: number; caps: ProviderCaps | null }) {
  /** The customer as known before any message (a new conversation opened from the customer page). */
  const [customer, setCustomer] = useState<{
    name: string;
    phoneDisplay: string;
    phone: string | null;
  } | null>(null);
  const [state, setState] = useState<ThreadState | null>(null);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const [olderLoading, setOlderLoading] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const keepFrom = useRef<number | null>(null);

  const markRead = useCallback(
    (upToId?: number) =>
      void api
        .call('whatsapp.markRead', { customerId, ...(upToId ? { upToId } : {}) })
        .catch(() => undefined),
    [customerId],
  );

  useEffect(() => {
    let live = true;
    setState(null);
    setCustomer(null);
    setError(undefined);
    stick.current = true;
    api
      .call('whatsapp.messages', { customerId, limit: PAGE })
      .then((r) => {
        if (!live) return;
        setState({
          items: r.items,
          hasMore: r.hasMore,
          conversation: r.conversation,
          canSendText: r.canSendText,
        });
        if (!r.conversation)
          api
            .call('crm.customers.get', { id: customerId })
            .then((c) => live && setCustomer({ name: c.name, phoneDisplay: c.phoneDisplay, phone: c.phone }))
            .catch(() => undefined);
        if (r.items.some((m) => m.direction === 'in') && (r.conversation?.unread ?? 1) > 0) markRead();
      })
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [customerId, tick, markRead]);

  // New messages keep the view at the bottom when it was there (or when we sent them).
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (keepFrom.current != null) {
      el.scrollTop = el.scrollHeight - keepFrom.current;
      keepFrom.current = null;
    } else if (stick.current) el.scrollTop = el.scrollHeight;
  }, [state?.items]);

  useEvent('whatsapp.message', ({ message: m }) => {
    if (m.customerId !== customerId) return;
    if (m.direction === 'out') stick.current = true;
    setState(
      (s) =>
        s && {
          ...s,
          items: upsert(s.items, m),
          // The customer wrote: the 24-hour window is open again.
          canSendText: m.direction === 'in' ? true : s.canSendText,
        },
    );
    if (m.direction === 'in' && document.visibilityState === 'visible') markRead(m.id);
  });
  useEvent('whatsapp.status', (e) => {
    if (e.customerId !== null && e.customerId !== customerId) return;
    setState(
      (s) =>
        s && {
          ...s,
          items: s.items.map((x) =>
            x.id === e.messageId
              ? {
                  ...x,
                  status: e.status,
                  error: e.error,
                  providerErrorCode: e.providerErrorCode,
                  sentAt: e.sentAt,
                  deliveredAt: e.deliveredAt,
                  readAt: e.readAt,
                }
              : x,
          ),
          // Twilio refused free text (63016): from now on only a template.
          canSendText: e.error === 'outside_window' ? false : s.canSendText,
        },
    );
  });

  const older = async () => {
    if (!state?.hasMore || olderLoading || state.items.length === 0) return;
    setOlderLoading(true);
    try {
      const r = await api.call('whatsapp.messages', {
        customerId,
        limit: PAGE,
        beforeId: state.items[0]!.id,
      });
      keepFrom.current = box.current ? box.current.scrollHeight - box.current.scrollTop : null;
      setState((s) => s && { ...s, items: [...r.items, ...s.items], hasMore: r.hasMore });
    } catch {
      /* the button stays; the owner can try again */
    } finally {
      setOlderLoading(false);
    }
  };

  if (error instanceof ApiCallError && error.status === 404)
    return (
      <EmptyState title={he.crm.customer.notFound}>
        <Link to="/whatsapp">{t.title}</Link>
      </EmptyState>
    );
  if (error !== undefined) return <ErrorState error={error} onRetry={() => setTick((x) => x + 1)} />;
  if (!state) return <Loading />;

  const conv = state.conversation;
  const name = conv ? conversationName(conv) : customer?.name || customer?.phoneDisplay || t.unnamed;
  const phoneDisplay = conv?.phoneDisplay ?? customer?.phoneDisplay ?? '';
  const hasPhone = conv ? !!conv.phone : !!customer?.phone;
  const windowUntil = caps?.window24h ? conv?.windowOpenUntil : null;

  return (
    <section className="wa-thread" data-testid="wa-thread" data-customer={customerId}>
      <header className="wa-thread-head">
        <Link to="/whatsapp" className="wa-back btn btn-ghost btn-sm" aria-label={t.title}>
          <ArrowRight size={18} aria-hidden />
        </Link>
        <span className={`wa-avatar ${avatarTone(customerId)}`} aria-hidden>
          {initial(name)}
        </span>
        <div className="wa-thread-title">
          <bdi className="wa-thread-name" data-testid="wa-thread-name">
            {name}
          </bdi>
          <div className="wa-thread-sub">
            {phoneDisplay && <PhoneNumber value={phoneDisplay} />}
            {windowUntil && state.canSendText && windowUntil > Date.now() && (
              <span className="muted">{fill(t.thread.window, { time: formatDateTime(windowUntil) })}</span>
            )}
          </div>
        </div>
        <Link className="btn btn-sm" to={`/customers/${customerId}`} data-testid="wa-to-customer">
          {t.thread.toCustomer}
        </Link>
      </header>
      <div
        className="wa-messages"
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
          if (el.scrollTop < 40) void older();
        }}
        data-testid="wa-messages"
        // A scrolling box is reachable by keyboard (Tab, then the arrow keys scroll it).
        tabIndex={0}
        role="log"
        aria-label={t.thread.messages}
        aria-live="polite"
      >
        {state.hasMore && (
          <div className="wa-older">
            <button type="button" className="btn btn-sm" onClick={() => void older()} disabled={olderLoading}>
              {olderLoading ? he.common.loading : t.thread.loadOlder}
            </button>
          </div>
        )}
        {state.items.length === 0 && (
          <div className="wa-thread-empty">
            <strong>{t.thread.empty}</strong>
            {hasPhone && <span>{t.thread.emptyHint}</span>}
          </div>
        )}
        {state.items.map((m, i) => {
          const prev = state.items[i - 1];
          const newDay = !prev || dayKey(prev.createdAt) !== dayKey(m.createdAt);
          return (
            <Fragment key={m.id}>
              {newDay && (
                <div className="wa-day" role="separator">
                  <span>{dayLabel(m.createdAt)}</span>
                </div>
              )}
              <Bubble
                m={m}
                onRetried={(x) => setState((s) => s && { ...s, items: upsert(s.items, x, true) })}
              />
            </Fragment>
          );
        })}
      </div>
      {hasPhone ? (
        <Composer
          customerId={customerId}
          canSendText={state.canSendText}
          caps={caps}
          onQueued={(m) => {
            stick.current = true;
            setState((s) => s && { ...s, items: upsert(s.items, m) });
          }}
        />
      ) : (
        <div className="wa-composer-blocked notice" data-testid="wa-no-phone">
          {t.thread.noPhone}
        </div>
      )}
    </section>
  );
}

function Bubble({ m, onRetried }: { m: WaMessage; onRetried: (m: WaMessage) => void }) {
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState('');
  const out = m.direction === 'out';
  const retry = async () => {
    setRetrying(true);
    setRetryError('');
    try {
      onRetried((await api.call('whatsapp.retry', { messageId: m.id })).message);
    } catch (e) {
      setRetryError(sendErrorText(e));
    } finally {
      setRetrying(false);
    }
  };
  return (
    <div
      className={`wa-msg wa-${m.direction}${m.status === 'failed' ? ' wa-failed' : ''}`}
      data-testid="wa-msg"
      data-id={m.id}
      data-direction={m.direction}
      data-status={m.status}
    >
      <div className="wa-bubble">
        {m.kind === 'template' && <div className="wa-bubble-label">{t.kinds.template}</div>}
        {m.media && <MediaPreview message={m} />}
        {m.text && (
          <div className="wa-text" dir="auto">
            {m.text}
          </div>
        )}
        <div className="wa-meta">
          {m.byAi && (
            <span className="wa-ai" title={t.byAi} aria-label={t.byAi}>
              <Bot size={13} aria-hidden />
            </span>
          )}
          <span className="wa-time" title={formatDateTime(m.createdAt)}>
            {formatTime(m.createdAt)}
          </span>
          {out && <Ticks status={m.status} />}
        </div>
      </div>
      {out && m.status === 'failed' && (
        <div className="wa-fail" role="alert" data-testid="wa-fail">
          <span>
            {failureText(m)}
            {m.providerErrorCode && (
              <span className="muted">
                {' '}
                ({fill(t.providerCode, { code: '' })}
                <span className="ltr">{m.providerErrorCode}</span>)
              </span>
            )}
          </span>
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => void retry()}
            disabled={retrying}
            data-testid="wa-retry"
          >
            <RotateCcw size={14} aria-hidden /> {retrying ? t.thread.retrying : t.thread.retry}
          </button>
          {retryError && <span className="wa-fail-reason">{retryError}</span>}
        </div>
      )}
      {out && m.status === 'queued' && m.attempts > 0 && m.nextAttemptAt && (
        <div className="wa-retry-note muted">
          {fill(t.thread.nextAttempt, { time: formatTime(m.nextAttemptAt) })}
        </div>
      )}
    </div>
  );
}
