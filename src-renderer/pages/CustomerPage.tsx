import {
  ArrowRight,
  Bot,
  CalendarPlus,
  FileSignature,
  FilePlus2,
  MessageCircle,
  Pencil,
  Phone,
  PhoneForwarded,
  Receipt,
  Trash2,
} from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { FeatureFlag } from '../../src-main/api/contract/business';
import type { CallSummary, DialMode, DialProblem } from '../../src-main/api/contract/calls';
import type { CustomerDetail } from '../../src-main/api/contract/crm';
import { api, ApiCallError } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { useApp } from '../app-context';
import { CustomerFormDialog } from '../components/crm/CustomerForm';
import { CustomerRemoveDialog } from '../components/crm/CustomerRemoveDialog';
import { DealDialog } from '../components/crm/DealDialog';
import { Modal } from '../components/crm/Modal';
import { TaskDialog } from '../components/crm/TaskDialog';
import { Timeline } from '../components/crm/Timeline';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { he } from '../i18n/he';
import { EmailAddress, Money, Num, PhoneNumber } from '../components/format';
import { availability } from '../lib/capabilities';
import { formatDate, formatDateTime, formatMoney } from '../lib/format';
import { STATUS_BADGE } from './CustomersPage';
import '../styles/crm.css';

const t = he.crm.customer;
const a = he.crm.actions;

/**
 * The action bar's flows. A flow that belongs to a later area has no `route` yet: its button
 * explains that it is not available, or that its feature is off. Set `route` when the flow exists.
 */
const ACTIONS: Array<{
  key: 'call' | 'whatsapp' | 'proposal' | 'signature' | 'invoice';
  icon: typeof Phone;
  features: FeatureFlag[];
  route?: (id: number) => string;
}> = [
  { key: 'call', icon: Phone, features: [] },
  { key: 'whatsapp', icon: MessageCircle, features: ['whatsapp_enabled'], route: (id) => `/whatsapp/${id}` },
  {
    key: 'proposal',
    icon: FilePlus2,
    features: ['invoices_enabled'],
    route: (id) => `/invoices/new?type=proposal&customer=${id}`,
  },
  {
    key: 'signature',
    icon: FileSignature,
    features: ['contracts_enabled', 'signature_enabled'],
    route: (id) => `/contracts/new?customer=${id}`,
  },
  {
    key: 'invoice',
    icon: Receipt,
    features: ['invoices_enabled'],
    route: (id) => `/invoices/new?customer=${id}`,
  },
];

export function CustomerPage() {
  const id = Number(useParams().id);
  const { business } = useApp();
  const navigate = useNavigate();
  const q = useQuery(() => api.call('crm.customers.get', { id }), [id]);
  useEvent('crm.changed', (e) => (e.entity !== 'customer' || e.id === id) && q.reload());
  const [dialog, setDialog] = useState<'edit' | 'task' | 'deal' | 'call' | 'remove' | null>(null);
  // A call placed from here (or any call of this customer) updates the counts.
  useEvent('call.updated', (e) => e.customerId === id && q.reload());
  useEvent('whatsapp.message', (e) => e.message.customerId === id && q.reload());
  const [notice, setNotice] = useState<{ title: string; body: ReactNode } | null>(null);

  if (q.error instanceof ApiCallError && q.error.status === 404) {
    return (
      <EmptyState title={t.notFound}>
        <p>{t.notFoundHint}</p>
        <Link to="/customers">{t.back}</Link>
      </EmptyState>
    );
  }
  if (q.error !== undefined) return <ErrorState error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading />;
  const c: CustomerDetail = q.data;
  const features = business?.features;

  const action = (key: (typeof ACTIONS)[number]['key']) => {
    const def = ACTIONS.find((x) => x.key === key)!;
    const state = availability(features, def.features);
    if (state === 'soon') return; // disabled below, with the reason on the button
    if (state === 'off')
      return setNotice({
        title: a[key],
        body: (
          <>
            {a.featureOff} <Link to="/settings">{a.toSettings}</Link>
          </>
        ),
      });
    if (key === 'call') {
      if (!c.phone) return setNotice({ title: a.call, body: a.noPhone });
      return setDialog('call');
    }
    if (def.route) {
      // WhatsApp needs a number to write to; the thread opens (a new conversation if there is none).
      if (key === 'whatsapp' && !c.phone)
        return setNotice({ title: a[key], body: he.whatsapp.thread.noPhone });
      return navigate(def.route(c.id));
    }
    setNotice({ title: a[key], body: a.notYet });
  };
  /** A flow whose capability is not built is disabled, with the one reason every entry point gives. */
  const actionButton = ({ key, icon: Icon, features: fs }: (typeof ACTIONS)[number]) => {
    const state = availability(features, fs);
    return (
      <button
        key={key}
        className={`btn${state !== 'ready' ? ' unavailable' : ''}`}
        onClick={() => action(key)}
        disabled={state === 'soon'}
        title={state === 'soon' ? he.common.notBuilt : undefined}
        data-testid={`action-${key}`}
        data-soon={state === 'soon' || undefined}
      >
        <Icon size={16} /> {a[key]}
        {state === 'soon' && <span className="soon">{he.common.soon}</span>}
      </button>
    );
  };
  const messagesOn = availability(features, ['whatsapp_enabled']) === 'ready';
  const invoicesOn = availability(features, ['invoices_enabled']) === 'ready';

  return (
    <>
      <Link
        to="/customers"
        className="muted"
        style={{ display: 'inline-flex', alignItems: 'center', gap: 4, marginBottom: 12 }}
      >
        <ArrowRight size={16} /> {t.back}
      </Link>
      <div className="customer-head">
        <div>
          <h1 data-testid="customer-name">
            {c.name || he.crm.customers.noName}{' '}
            <span className={`badge ${STATUS_BADGE[c.status]}`}>{he.crm.status[c.status]}</span>
          </h1>
          <div className="sub">
            {c.phone && <PhoneNumber value={c.phone} testId="customer-phone" />}
            {c.email && <EmailAddress value={c.email} />}
            <span>{he.crm.source[c.source]}</span>
            {c.tags.map((x) => (
              <span className="tag" key={x}>
                {x}
              </span>
            ))}
          </div>
        </div>
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
          <button className="btn" onClick={() => setDialog('edit')}>
            <Pencil size={16} /> {t.edit}
          </button>
          <button
            className="btn btn-ghost"
            onClick={() => setDialog('remove')}
            data-testid="customer-remove-button"
          >
            <Trash2 size={16} /> {t.removeButton}
          </button>
        </div>
      </div>
      <div className="action-bar" role="toolbar" aria-label="פעולות">
        {ACTIONS.slice(0, 2).map(actionButton)}
        <button className="btn" onClick={() => setDialog('task')} data-testid="action-task">
          <CalendarPlus size={16} /> {a.task}
        </button>
        {ACTIONS.slice(2).map(actionButton)}
      </div>
      <div className="stats-row">
        {(
          [
            [t.stats.calls, <Num value={c.stats.calls} />, true],
            [t.stats.messages, <Num value={c.stats.messages} />, messagesOn],
            [t.stats.openTasks, <Num value={c.stats.openTasks} />, true],
            [t.stats.openDeals, <Num value={c.stats.openDeals} />, true],
            [t.stats.unpaid, <Money agorot={c.stats.unpaidAgorot} />, invoicesOn],
          ] as const
        )
          .filter(([, , shown]) => shown)
          .map(([label, value]) => (
            <div className="stat-tile" key={label}>
              <div className="label">{label}</div>
              <div className="value">{value}</div>
            </div>
          ))}
      </div>
      <div className="customer-grid">
        <section className="card">
          <h2 style={{ marginBottom: 12 }}>{he.crm.timeline.title}</h2>
          <Timeline customerId={c.id} />
        </section>
        <div>
          <section className="card">
            <h2 style={{ marginBottom: 12 }}>{t.details}</h2>
            <dl className="kv">
              <dt>{he.crm.form.phone}</dt>
              <dd>{c.phone ? <PhoneNumber value={c.phone} /> : '—'}</dd>
              <dt>{he.crm.form.email}</dt>
              <dd>{c.email ? <EmailAddress value={c.email} /> : '—'}</dd>
              <dt>{he.crm.form.address}</dt>
              <dd>{c.address || '—'}</dd>
              <dt>{t.lastContact}</dt>
              <dd>{c.lastContactAt ? formatDateTime(c.lastContactAt) : t.never}</dd>
              <dt>{t.created}</dt>
              <dd>{formatDate(c.createdAt)}</dd>
              {c.notes && (
                <>
                  <dt>{he.crm.form.notes}</dt>
                  <dd style={{ whiteSpace: 'pre-wrap' }}>{c.notes}</dd>
                </>
              )}
            </dl>
          </section>
          <section className="card side-list" data-testid="customer-tasks">
            <h2 style={{ marginBottom: 8 }}>{t.openTasks}</h2>
            {c.openTasks.length === 0 && <p className="muted">{t.noTasks}</p>}
            {c.openTasks.map((task) => (
              <div className="list-row" key={task.id}>
                <span>
                  <strong>{task.title}</strong>
                  <div className="muted" style={{ fontSize: 'var(--text-xs)' }}>
                    {he.crm.taskKind[task.kind]}
                    {(task.startsAt ?? task.dueAt)
                      ? ` · ${formatDateTime((task.startsAt ?? task.dueAt)!)}`
                      : ''}
                  </div>
                </span>
                <button
                  className="btn btn-sm"
                  onClick={() =>
                    void api.call('crm.tasks.setDone', { id: task.id, done: true }).then(q.reload)
                  }
                >
                  {t.markDone}
                </button>
              </div>
            ))}
          </section>
          <section className="card side-list">
            <div
              style={{
                display: 'flex',
                justifyContent: 'space-between',
                alignItems: 'center',
                marginBottom: 8,
              }}
            >
              <h2>{t.deals}</h2>
              <button className="btn btn-sm" onClick={() => setDialog('deal')}>
                {t.addDeal}
              </button>
            </div>
            {c.deals.length === 0 && <p className="muted">{t.noDeals}</p>}
            {c.deals.map((d) => (
              <div className="list-row" key={d.id}>
                <span>{d.title}</span>
                <span style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
                  <span className="badge">{he.crm.stage[d.stage]}</span>
                  <strong>{formatMoney(d.amountAgorot)}</strong>
                </span>
              </div>
            ))}
          </section>
        </div>
      </div>
      {dialog === 'edit' && (
        <CustomerFormDialog
          customer={c}
          onClose={() => setDialog(null)}
          onSaved={() => (setDialog(null), q.reload())}
        />
      )}
      {dialog === 'task' && (
        <TaskDialog
          customer={{ id: c.id, name: c.name }}
          onClose={() => setDialog(null)}
          onSaved={() => (setDialog(null), q.reload())}
        />
      )}
      {dialog === 'deal' && (
        <DealDialog
          customer={{ id: c.id, name: c.name }}
          onClose={() => setDialog(null)}
          onSaved={() => (setDialog(null), q.reload())}
        />
      )}
      {dialog === 'call' && <CallDialog customer={c} onClose={() => setDialog(null)} />}
      {dialog === 'remove' && (
        <CustomerRemoveDialog
          customer={{ id: c.id, name: c.name }}
          onClose={() => setDialog(null)}
          onDone={(remaining) => {
            setDialog(null);
            navigate(remaining ? `/customers/${remaining}` : '/customers', { replace: true });
          }}
        />
      )}
      {notice && (
        <Modal title={notice.title} onClose={() => setNotice(null)} testId="action-notice">
          <p>{notice.body}</p>
          <div className="form-actions">
            <button className="btn" onClick={() => setNotice(null)}>
              {he.common.close}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}

const d = a.dial;

/** What is missing, in Hebrew, with the way to Settings when the owner can fix it there. */
function Problem({ code }: { code: string }) {
  const fixInSettings =
    code !== 'customer_phone_missing' &&
    code !== 'customer_phone_not_dialable' &&
    code !== 'twilio_call_failed';
  return (
    <p className="muted" data-testid="dial-problem" data-code={code} style={{ margin: '4px 0 0' }}>
      {d.problems[code] ?? d.failed}
      {fixInSettings && (
        <>
          {' '}
          <Link to="/settings">{a.toSettings}</Link>
        </>
      )}
    </p>
  );
}

/**
 * Click-to-call: "dial through me" (the owner's phone rings first, then the customer) or "the
 * agent calls". It asks the core first what is missing, so a line that cannot call says why.
 */
function CallDialog({ customer, onClose }: { customer: CustomerDetail; onClose: () => void }) {
  const [check, setCheck] = useState<Record<DialMode, DialProblem | null> | 'error' | null>(null);
  const [state, setState] = useState<
    | { kind: 'idle' }
    | { kind: 'calling'; mode: DialMode }
    | { kind: 'placed'; call: CallSummary }
    | { kind: 'failed'; code: string }
  >({ kind: 'idle' });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    setCheck(null);
    api
      .call('calls.dialCheck', { customerId: customer.id })
      .then((r) => live && setCheck(r))
      .catch(() => live && setCheck('error'));
    return () => {
      live = false;
    };
  }, [customer.id, tick]);
  useEvent('call.updated', (e) =>
    setState((s) => (s.kind === 'placed' && s.call.callSid === e.callSid ? { kind: 'placed', call: e } : s)),
  );

  const dial = async (mode: DialMode) => {
    setState({ kind: 'calling', mode });
    try {
      const call = await api.call('calls.dial', { customerId: customer.id, mode });
      setState({ kind: 'placed', call });
    } catch (e) {
      setState({ kind: 'failed', code: e instanceof ApiCallError ? e.body.error : 'twilio_call_failed' });
      setTick((x) => x + 1);
    }
  };

  const name = customer.name || customer.phoneDisplay;
  const shared =
    check && check !== 'error' && check.bridge && check.bridge === check.agent ? check.bridge : null;
  const options: Array<{ mode: DialMode; icon: typeof Phone; label: string; hint: string }> = [
    { mode: 'bridge', icon: PhoneForwarded, label: d.bridge, hint: d.bridgeHint },
    { mode: 'agent', icon: Bot, label: d.agent, hint: d.agentHint },
  ];

  return (
    <Modal title={d.title.replace('{name}', name)} onClose={onClose} testId="call-dialog">
      {check === null && <p className="muted">{d.checking}</p>}
      {check === 'error' && <p>{d.failed}</p>}
      {shared && <Problem code={shared} />}
      {check && check !== 'error' && !shared && state.kind !== 'placed' && (
        <div style={{ display: 'grid', gap: 10 }}>
          {options.map(({ mode, icon: Icon, label, hint }) => {
            const problem = check[mode];
            const busy = state.kind === 'calling';
            return (
              <div key={mode} className="card" style={{ padding: 12, margin: 0 }}>
                <button
                  className={`btn${problem ? '' : ' btn-primary'}`}
                  disabled={!!problem || busy}
                  onClick={() => void dial(mode)}
                  data-testid={`dial-${mode}`}
                >
                  <Icon size={16} /> {label}
                </button>
                <p className="muted" style={{ margin: '6px 0 0' }}>
                  {hint}
                </p>
                {problem && <Problem code={problem} />}
              </div>
            );
          })}
        </div>
      )}
      {state.kind === 'calling' && (
        <p data-testid="dial-calling" role="status">
          {d.calling}
        </p>
      )}
      {state.kind === 'placed' && (
        <div data-testid="dial-placed" role="status">
          <p>
            <strong>{d.calling}</strong>
          </p>
          <p>{d.placed}</p>
          <p className="muted">
            {d.status}: {he.calls.status[state.call.status]}
          </p>
        </div>
      )}
      {state.kind === 'failed' && <Problem code={state.code} />}
      {(shared || state.kind === 'failed' || check === 'error') && customer.phone && (
        <p className="muted">
          {d.directly}{' '}
          <a href={`tel:${customer.phone}`}>
            <PhoneNumber value={customer.phone} />
          </a>
        </p>
      )}
      <div className="form-actions">
        <button className="btn" onClick={onClose}>
          {he.common.close}
        </button>
      </div>
    </Modal>
  );
}
