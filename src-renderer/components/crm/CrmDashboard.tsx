import { CalendarCheck, MessageCircle, Phone, Receipt, UserPlus } from 'lucide-react';
import type { CSSProperties } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api';
import { useEvent, useQuery } from '../../api/hooks';
import { useApp } from '../../app-context';
import { he } from '../../i18n/he';
import { plural } from '../../lib/plural';
import { PhoneNumber } from '../format';
import { availability } from '../../lib/capabilities';
import { formatDateTime, formatMoney, formatNumber, formatTime } from '../../lib/format';
import { ErrorState, Loading } from '../States';
import { dayStart } from './util';

const t = he.crm.dashboard;
/** The time for today, the date and time otherwise. */
const when = (ms: number) => (ms >= dayStart(Date.now()) ? formatTime(ms) : formatDateTime(ms));

/**
 * The dashboard's CRM part: today's calls, new leads, open tasks, and — once those capabilities are
 * built and on — unread WhatsApp and unpaid invoices.
 */
export function CrmDashboard() {
  const { business } = useApp();
  const on = business?.features.crm_enabled !== false;
  // Figures of a capability that is not built (or is off) are left out, not shown as zeros.
  const whatsapp = availability(business?.features, ['whatsapp_enabled']) === 'ready';
  const invoices = availability(business?.features, ['invoices_enabled']) === 'ready';
  const q = useQuery(() => (on ? api.call('crm.dashboard') : Promise.resolve(null)), [on]);
  useEvent('crm.changed', () => on && q.reload());
  useEvent('call.updated', () => on && q.reload());
  useEvent('whatsapp.message', (e) => on && whatsapp && e.message.direction === 'in' && q.reload());
  if (!on) return null;
  if (q.error !== undefined) return <ErrorState error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading />;
  const d = q.data;
  const kpi = (
    to: string,
    Icon: typeof Phone,
    value: string,
    label: string,
    extra?: string,
    testId?: string,
  ) => (
    <Link to={to} className="card dash-kpi" data-testid={testId}>
      <span className="kpi-icon">
        <Icon size={22} />
      </span>
      <span>
        <div className="value">{value}</div>
        <div className="label">{label}</div>
        {extra && <div className="extra">{extra}</div>}
      </span>
    </Link>
  );
  return (
    <div className="crm-dashboard" data-testid="crm-dashboard">
      <div
        className="grid kpi-row"
        style={{ '--kpi-cols': 3 + Number(whatsapp) + Number(invoices) } as CSSProperties}
      >
        {kpi('/calls', Phone, formatNumber(d.todayCalls.count), t.todayCalls, undefined, 'kpi-calls')}
        {kpi(
          '/customers?status=lead',
          UserPlus,
          formatNumber(d.newLeads.count),
          t.newLeads,
          undefined,
          'kpi-leads',
        )}
        {kpi(
          '/tasks',
          CalendarCheck,
          formatNumber(d.openTasks.count),
          t.openTasks,
          d.openTasks.overdue ? plural(d.openTasks.overdue, t.overdue) : undefined,
          'kpi-tasks',
        )}
        {whatsapp &&
          kpi(
            '/whatsapp',
            MessageCircle,
            formatNumber(d.unreadWhatsapp.count),
            t.unreadWhatsapp,
            d.unreadWhatsapp.count ? plural(d.unreadWhatsapp.customers, t.fromCustomers) : undefined,
            'kpi-whatsapp',
          )}
        {invoices &&
          kpi(
            '/invoices/unpaid',
            Receipt,
            formatMoney(d.unpaidInvoices.totalAgorot),
            t.unpaidInvoices,
            plural(d.unpaidInvoices.count, t.unpaidCount),
            'kpi-invoices',
          )}
      </div>
      <div className={`grid ${whatsapp ? 'grid-3' : 'grid-2'}`}>
        <section className="card side-list">
          <h2>{t.agenda}</h2>
          {d.openTasks.items.length === 0 && <p className="muted">{t.nothing}</p>}
          {d.openTasks.items.map((x) => (
            <div className="list-row" key={x.id}>
              <span>
                {x.title}
                {x.customerName && (
                  <div className="muted" style={{ fontSize: 'var(--text-xs)' }}>
                    {x.customerName}
                  </div>
                )}
              </span>
              <span className={`badge ${x.dueAt && x.dueAt < Date.now() ? 'badge-fail' : ''}`}>
                {x.dueAt ? formatDateTime(x.dueAt) : ''}
              </span>
            </div>
          ))}
        </section>
        <section className="card side-list">
          <h2>{t.recentCalls}</h2>
          {d.todayCalls.items.length === 0 && <p className="muted">{t.nothing}</p>}
          {d.todayCalls.items.map((c) => (
            <div className="list-row" key={c.id}>
              <Link to={`/calls/${c.id}`}>
                {c.customerName || (c.from ? <PhoneNumber value={c.from} /> : t.unknown)}
              </Link>
              <span className="muted">{when(c.startedAt)}</span>
            </div>
          ))}
        </section>
        {whatsapp && (
          <section className="card side-list" data-testid="dash-unread">
            <h2>{t.unreadList}</h2>
            {d.unreadWhatsapp.items.length === 0 && <p className="muted">{t.nothing}</p>}
            {d.unreadWhatsapp.items.map((m) => (
              <div className="list-row" key={m.id}>
                <span style={{ minWidth: 0 }}>
                  {m.customerId ? (
                    <Link to={`/whatsapp/${m.customerId}`}>{m.customerName || t.unknown}</Link>
                  ) : (
                    t.unknown
                  )}
                  <div
                    className="muted"
                    style={{
                      fontSize: 'var(--text-xs)',
                      overflow: 'hidden',
                      textOverflow: 'ellipsis',
                      whiteSpace: 'nowrap',
                      maxWidth: 240,
                    }}
                  >
                    {m.body}
                  </div>
                </span>
                <span className="muted">{when(m.at)}</span>
              </div>
            ))}
          </section>
        )}
      </div>
    </div>
  );
}
