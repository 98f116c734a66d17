import { Search } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import type { z } from 'zod';
import type { ContractSummary } from '../../../src-main/api/contract/contracts';
import type { searchResultSchema } from '../../../src-main/api/contract/crm';
import { api } from '../../api';
import { useEvent } from '../../api/hooks';
import { useApp } from '../../app-context';
import { he } from '../../i18n/he';
import { availability } from '../../lib/capabilities';
import { formatDate } from '../../lib/format';
import { EmailAddress, Money, PhoneNumber } from '../format';
import { Modal } from './Modal';
import '../../styles/crm.css';

const t = he.crm.search;
type Results = z.infer<typeof searchResultSchema>;
interface Item {
  key: string;
  section: string;
  label: string;
  /** Hebrew text with its numbers, amounts, phones and addresses isolated (components/format). */
  sub: ReactNode;
  to: string;
}

/** The topbar search button and the Ctrl+K palette across customers, deals, documents and messages. */
export function GlobalSearch() {
  const { business } = useApp();
  const enabled = business?.features.crm_enabled !== false;
  // Documents and WhatsApp messages are offered only once those capabilities are built and on.
  const docsOn = availability(business?.features, ['invoices_enabled']) === 'ready';
  const msgsOn = availability(business?.features, ['whatsapp_enabled']) === 'ready';
  const contractsOn = availability(business?.features, ['contracts_enabled']) === 'ready';
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [res, setRes] = useState<Results | null>(null);
  // Contracts are their own module's: the palette asks it beside the CRM's search.
  const [contracts, setContracts] = useState<ContractSummary[]>([]);
  const [active, setActive] = useState(0);
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && (e.key === 'k' || e.key === 'K' || e.code === 'KeyK')) {
        e.preventDefault();
        if (enabled) setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
  useEffect(() => {
    if (open) setTimeout(() => input.current?.focus(), 0);
    else {
      setQ('');
      setRes(null);
      setContracts([]);
    }
  }, [open]);
  useEffect(() => {
    if (!q.trim()) return (setRes(null), setContracts([]));
    let live = true;
    const h = setTimeout(() => {
      api
        .call('crm.search', { q: q.trim() })
        .then((r) => live && (setRes(r), setActive(0)))
        .catch(() => live && setRes(null));
      if (contractsOn)
        api
          .call('contracts.list', { q: q.trim(), page: 1, limit: 5 })
          .then((r) => live && setContracts(r.items))
          .catch(() => live && setContracts([]));
    }, 150);
    return () => {
      live = false;
      clearTimeout(h);
    };
  }, [q, contractsOn]);

  const items: Item[] = useMemo(() => {
    if (!res) return [];
    return [
      ...res.customers.map((c) => ({
        key: `c${c.id}`,
        section: t.customers,
        label: c.name || he.crm.customers.noName,
        sub: c.phone ? <PhoneNumber value={c.phone} /> : <EmailAddress value={c.email} />,
        to: `/customers/${c.id}`,
      })),
      ...res.deals.map((d) => ({
        key: `d${d.id}`,
        section: t.deals,
        label: d.title,
        sub: (
          <>
            {d.customerName} · <Money agorot={d.amountAgorot} />
          </>
        ),
        to: `/customers/${d.customerId}`,
      })),
      // Issued documents only (a draft has no number yet); each opens its own page.
      ...(docsOn ? res.documents.filter((d) => d.number > 0) : []).map((d) => ({
        key: `f${d.id}`,
        section: t.documents,
        label: `${he.crm.timeline.docTypes[d.type] ?? d.type} ${d.number}`,
        sub: (
          <>
            {d.customerName ? `${d.customerName} · ` : ''}
            <Money agorot={d.totalAgorot} /> · <bdi dir="ltr">{formatDate(Date.parse(d.issueDate))}</bdi>
          </>
        ),
        to: `/invoices/${d.id}`,
      })),
      ...(msgsOn ? res.messages : []).map((m) => ({
        key: `m${m.id}`,
        section: t.messages,
        label: m.body,
        sub: m.customerName ?? '',
        to: m.customerId ? `/whatsapp/${m.customerId}` : '/whatsapp',
      })),
      ...(contractsOn ? contracts : []).map((c) => ({
        key: `k${c.id}`,
        section: t.contracts,
        label: `${c.title} ${c.number ?? ''}`,
        sub: `${c.customerName} · ${he.contracts.status[c.status]}`,
        to: `/contracts/${c.id}`,
      })),
    ];
  }, [res, docsOn, msgsOn, contractsOn, contracts]);

  const placeholder = docsOn || msgsOn ? t.placeholder : t.placeholderCrm;
  const hint = docsOn ? t.hint : t.hintCrm;

  const go = (it: Item | undefined) => {
    if (!it) return;
    setOpen(false);
    navigate(it.to);
  };

  return (
    <>
      <button
        type="button"
        className="topbar-search"
        data-testid="global-search-trigger"
        onClick={() => enabled && setOpen(true)}
      >
        <Search size={16} />
        <span>{he.nav.searchPlaceholder}</span>
      </button>
      {open && (
        <Modal
          title={placeholder}
          hideTitle
          className="search-panel"
          testId="global-search"
          onClose={() => setOpen(false)}
        >
          <div className="search-input">
            <Search size={18} />
            <input
              ref={input}
              value={q}
              placeholder={placeholder}
              aria-label={placeholder}
              onChange={(e) => setQ(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setOpen(false);
                if (e.key === 'ArrowDown') {
                  e.preventDefault();
                  setActive((a) => Math.min(items.length - 1, a + 1));
                }
                if (e.key === 'ArrowUp') {
                  e.preventDefault();
                  setActive((a) => Math.max(0, a - 1));
                }
                if (e.key === 'Enter') go(items[active]);
              }}
            />
          </div>
          <div className="search-results">
            {!q.trim() && (
              <p className="muted" style={{ padding: '8px 16px' }}>
                {hint}
              </p>
            )}
            {q.trim() && res && items.length === 0 && (
              <p className="muted" style={{ padding: '8px 16px' }}>
                {t.empty}
              </p>
            )}
            {items.map((it, i) => (
              <div key={it.key}>
                {(i === 0 || items[i - 1]!.section !== it.section) && <h3>{it.section}</h3>}
                <a
                  className={`search-item${i === active ? ' active' : ''}`}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => go(it)}
                  href={`#${it.to}`}
                  onMouseDown={(e) => e.preventDefault()}
                >
                  <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                    {it.label}
                  </span>
                  <small>{it.sub}</small>
                </a>
              </div>
            ))}
          </div>
          <div className="search-foot">{t.close}</div>
        </Modal>
      )}
    </>
  );
}

/** In-app toasts for due reminders (the desktop notification comes from the main process). */
export function ReminderToasts() {
  const [toasts, setToasts] = useState<
    Array<{ id: number; title: string; customerId: number | null; customerName: string | null }>
  >([]);
  useEvent('crm.reminder', (r) => {
    setToasts((xs) => [
      ...xs.slice(-3),
      { id: r.taskId, title: r.title, customerId: r.customerId, customerName: r.customerName },
    ]);
    setTimeout(() => setToasts((xs) => xs.filter((x) => x.id !== r.taskId)), 12_000);
  });
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((x) => (
        <div className="toast" key={x.id} data-testid="reminder-toast">
          <button
            type="button"
            className="toast-close"
            aria-label={he.common.close}
            onClick={() => setToasts((xs) => xs.filter((y) => y.id !== x.id))}
          >
            ×
          </button>
          <strong>
            {he.crm.tasks.reminderToast}: {x.title}
          </strong>
          {x.customerId && (
            <a href={`#/customers/${x.customerId}`}>{x.customerName || he.crm.customers.noName}</a>
          )}
        </div>
      ))}
    </div>
  );
}
