import { Search } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import type { WaConversation } from '../../../src-main/api/contract/whatsapp';
import { api } from '../../api';
import { useEvent } from '../../api/hooks';
import { he } from '../../i18n/he';
import { plural } from '../../lib/plural';
import { EmptyState, ErrorState, Loading } from '../States';
import { conversationName, listTime, previewText } from './format';
import { Ticks } from './Ticks';
import { VirtualList } from './VirtualList';
import { formatNumber } from '../../lib/format';

const t = he.whatsapp;
const PAGE = 50;
const ROW = 72;

interface ListState {
  items: WaConversation[];
  total: number;
  pages: number;
  unreadTotal: number;
}

/** A calm colour per person for the round initial, from a small fixed set. */
const AVATAR_TONES = 6;
export const avatarTone = (id: number) => `wa-tone-${id % AVATAR_TONES}`;
export const initial = (name: string) => [...name.trim()][0] ?? '#';

/**
 * The inbox's list: conversations newest first, a page of 50 at a time as the owner scrolls
 * (only the rows on screen are drawn), searchable, with unread counts kept live by the
 * `whatsapp.message` / `whatsapp.status` events.
 */
export function ConversationList({
  selectedId,
  onUnreadTotal,
}: {
  selectedId: number | null;
  onUnreadTotal?: (n: number) => void;
}) {
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [state, setState] = useState<ListState | null>(null);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const loading = useRef(false);
  const generation = useRef(0);
  const selected = useRef(selectedId);
  selected.current = selectedId;

  useEffect(() => {
    const h = setTimeout(() => setQ(typed.trim()), 200);
    return () => clearTimeout(h);
  }, [typed]);

  const fetchPage = useCallback(
    (page: number) =>
      api.call('whatsapp.conversations', {
        page,
        limit: PAGE,
        ...(q ? { q } : {}),
        ...(unreadOnly ? { unreadOnly: true } : {}),
      }),
    [q, unreadOnly],
  );

  useEffect(() => {
    const gen = ++generation.current;
    loading.current = true;
    fetchPage(1)
      .then((r) => {
        if (gen !== generation.current) return;
        setState({ items: r.items, total: r.total, pages: 1, unreadTotal: r.unreadTotal });
        setError(undefined);
      })
      .catch((e: unknown) => gen === generation.current && setError(e))
      .finally(() => gen === generation.current && (loading.current = false));
  }, [fetchPage, tick]);

  useEffect(() => {
    if (state) onUnreadTotal?.(state.unreadTotal);
  }, [state, onUnreadTotal]);

  const more = () => {
    if (!state || loading.current || state.items.length >= state.total) return;
    const gen = generation.current;
    loading.current = true;
    fetchPage(state.pages + 1)
      .then((r) => {
        if (gen !== generation.current) return;
        setState((s) => {
          if (!s) return s;
          const seen = new Set(s.items.map((c) => c.customerId));
          return {
            items: [...s.items, ...r.items.filter((c) => !seen.has(c.customerId))],
            total: r.total,
            pages: s.pages + 1,
            unreadTotal: r.unreadTotal,
          };
        });
      })
      .catch(() => undefined)
      .finally(() => gen === generation.current && (loading.current = false));
  };

  /** A conversation that is not loaded yet (a new number, or far down the list): take the first page again. */
  const refreshHead = () => {
    const gen = generation.current;
    fetchPage(1)
      .then((r) => {
        if (gen !== generation.current) return;
        setState((s) => {
          const head = new Set(r.items.map((c) => c.customerId));
          const rest = (s?.items ?? []).filter((c) => !head.has(c.customerId));
          return {
            items: [...r.items, ...rest],
            total: r.total,
            pages: s?.pages ?? 1,
            unreadTotal: r.unreadTotal,
          };
        });
      })
      .catch(() => undefined);
  };

  const current = useRef(state);
  current.current = state;
  useEvent('whatsapp.message', ({ message: m, unread }) => {
    if (m.customerId == null || !current.current) return;
    if (!current.current.items.some((c) => c.customerId === m.customerId)) return refreshHead();
    const open = m.customerId === selected.current;
    setState((s) => {
      const i = s ? s.items.findIndex((c) => c.customerId === m.customerId) : -1;
      if (!s || i < 0) return s;
      const old = s.items[i]!;
      const count = open ? 0 : m.direction === 'in' ? unread : old.unread;
      const next: WaConversation = {
        ...old,
        lastMessage: {
          id: m.id,
          direction: m.direction,
          kind: m.kind,
          text: m.text,
          status: m.status,
          at: m.createdAt,
        },
        unread: count,
        windowOpenUntil: m.direction === 'in' ? m.createdAt + 24 * 3600_000 : old.windowOpenUntil,
      };
      const unreadTotal = Math.max(0, s.unreadTotal - old.unread + count);
      return { ...s, items: [next, ...s.items.slice(0, i), ...s.items.slice(i + 1)], unreadTotal };
    });
  });
  useEvent('whatsapp.status', (e) =>
    setState(
      (s) =>
        s && {
          ...s,
          items: s.items.map((c) =>
            c.lastMessage.id === e.messageId
              ? { ...c, lastMessage: { ...c.lastMessage, status: e.status } }
              : c,
          ),
        },
    ),
  );

  // Opening a conversation reads it: its badge goes at once (the thread tells the core).
  useEffect(() => {
    if (selectedId == null) return;
    setState((s) => {
      if (!s) return s;
      const c = s.items.find((x) => x.customerId === selectedId);
      if (!c || c.unread === 0) return s;
      return {
        ...s,
        unreadTotal: Math.max(0, s.unreadTotal - c.unread),
        items: s.items.map((x) => (x.customerId === selectedId ? { ...x, unread: 0 } : x)),
      };
    });
  }, [selectedId, state?.items.length]);

  const count = state && plural(state.total, t.conversationsCount);

  return (
    <aside className="wa-list-pane" aria-label={t.title}>
      <div className="wa-list-tools">
        <div className="wa-search">
          <Search size={16} aria-hidden />
          <input
            className="input"
            type="search"
            value={typed}
            placeholder={t.searchPlaceholder}
            aria-label={t.searchPlaceholder}
            onChange={(e) => setTyped(e.target.value)}
            data-testid="wa-search"
          />
        </div>
        <div className="wa-filter" role="group" aria-label={t.unreadOnly}>
          <button
            type="button"
            className={!unreadOnly ? 'active' : ''}
            aria-pressed={!unreadOnly}
            onClick={() => setUnreadOnly(false)}
          >
            {t.all}
          </button>
          <button
            type="button"
            className={unreadOnly ? 'active' : ''}
            aria-pressed={unreadOnly}
            onClick={() => setUnreadOnly(true)}
            data-testid="wa-unread-only"
          >
            {t.unreadOnly}
            {state && state.unreadTotal > 0 && (
              <span className="wa-unread-pill">{formatNumber(state.unreadTotal)}</span>
            )}
          </button>
        </div>
        {count && (
          <div className="wa-list-count muted" data-testid="wa-count">
            {count}
          </div>
        )}
      </div>
      {error !== undefined && !state && <ErrorState error={error} onRetry={() => setTick((x) => x + 1)} />}
      {!state && error === undefined && <Loading />}
      {state && state.items.length === 0 && (
        <EmptyState title={q || unreadOnly ? t.noResults : t.noConversations}>
          {!q && !unreadOnly && <p className="wa-empty-hint">{t.noConversationsHint}</p>}
        </EmptyState>
      )}
      {state && state.items.length > 0 && (
        <VirtualList
          className="wa-list"
          items={state.items}
          rowHeight={ROW}
          itemKey={(c) => c.customerId}
          onEnd={more}
          testId="wa-conversations"
          label={t.title}
          render={(c) => <Row c={c} active={c.customerId === selectedId} />}
        />
      )}
    </aside>
  );
}

function Row({ c, active }: { c: WaConversation; active: boolean }) {
  const name = conversationName(c);
  const m = c.lastMessage;
  return (
    <Link
      to={`/whatsapp/${c.customerId}`}
      className={`wa-conv${active ? ' active' : ''}${c.unread ? ' unread' : ''}`}
      aria-current={active ? 'true' : undefined}
      data-testid="wa-conv"
      data-customer={c.customerId}
    >
      <span className={`wa-avatar ${avatarTone(c.customerId)}`} aria-hidden>
        {initial(name)}
      </span>
      <span className="wa-conv-body">
        <span className="wa-conv-top">
          <bdi className="wa-conv-name">{name}</bdi>
          <span className="wa-conv-time">{listTime(m.at)}</span>
        </span>
        <span className="wa-conv-bottom">
          <span className="wa-conv-preview">
            {m.direction === 'out' && <Ticks status={m.status} size={14} />}
            <bdi>{previewText(m)}</bdi>
          </span>
          {c.unread > 0 && (
            <span
              className="wa-unread-pill"
              aria-label={plural(c.unread, t.unreadBadge)}
              data-testid="wa-conv-unread"
            >
              {formatNumber(c.unread)}
            </span>
          )}
        </span>
      </span>
    </Link>
  );
}
