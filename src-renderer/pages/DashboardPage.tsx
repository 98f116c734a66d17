import { CheckCircle2, Circle } from 'lucide-react';
import { Link } from 'react-router-dom';
import type { Readiness } from '../../src-main/api/contract/system';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { useApp } from '../app-context';
import { CrmDashboard } from '../components/crm/CrmDashboard';
import { ErrorState, Loading, PageHeader } from '../components/States';
import { he } from '../i18n/he';

const STATE_CLASS = { ok: 'badge-ok', disabled: 'badge', fail: 'badge-fail' } as const;

function ReadinessList({ readiness }: { readiness: Readiness }) {
  const rows: Array<[string, Readiness['db']]> = [
    [he.dashboard.readiness.db, readiness.db],
    [he.dashboard.readiness.openai, readiness.openai],
    [he.dashboard.readiness.tts, readiness.tts],
    [he.dashboard.readiness.whatsapp, readiness.whatsapp],
    [he.dashboard.readiness.tunnel, readiness.tunnel],
    [he.dashboard.readiness.paypal, readiness.payments.paypal],
    [he.dashboard.readiness.tranzila, readiness.payments.tranzila],
  ];
  return (
    <div data-testid="readiness">
      {rows.map(([label, state]) => (
        <div className="list-row" key={label}>
          <span>{label}</span>
          <span className={`badge ${STATE_CLASS[state]}`}>{he.dashboard.state[state]}</span>
        </div>
      ))}
    </div>
  );
}

export function DashboardPage() {
  const { business } = useApp();
  const info = useQuery(() => api.call('system.info'), []);
  const profileDone = Boolean(business?.name && business.vatId);
  const greetingDone = Boolean(business?.knowledge.greeting);
  return (
    <>
      <PageHeader
        title={business?.name ? `${he.dashboard.welcome}, ${business.name}` : he.dashboard.welcomeNoName}
        subtitle={he.app.tagline}
      />
      <CrmDashboard />
      <div className="grid grid-2">
        <section className="card">
          <h2>{he.dashboard.setupTitle}</h2>
          <div className="list-row">
            <span style={{ display: 'flex', gap: 10, alignItems: 'center' }}>
              {profileDone ? (
                <CheckCircle2 color="var(--color-success)" />
              ) : (
                <Circle color="var(--color-text-faint)" />
              )}
              <span>
                <Link to="/settings">{he.dashboard.setupProfile}</Link>
                <div className="hint" style={{ margin: 0 }}>
                  {he.dashboard.setupProfileHint}
                </div>
              </span>
            </span>
          </div>
          <div className="list-row">
            <span style={{ display: 'flex', gap: 10, alignItems: 'center' }}>
              {greetingDone ? (
                <CheckCircle2 color="var(--color-success)" />
              ) : (
                <Circle color="var(--color-text-faint)" />
              )}
              <span>
                <Link to="/settings">{he.dashboard.setupGreeting}</Link>
                <div className="hint" style={{ margin: 0 }}>
                  {he.dashboard.setupGreetingHint}
                </div>
              </span>
            </span>
          </div>
        </section>
        <section className="card">
          <h2>{he.dashboard.systemTitle}</h2>
          {info.loading && !info.data && <Loading />}
          {info.error !== undefined && <ErrorState error={info.error} onRetry={info.reload} />}
          {info.data && (
            <>
              <ReadinessList readiness={info.data.readiness} />
              <p className="hint" style={{ marginTop: 12 }}>
                {he.dashboard.version}{' '}
                <span className="ltr">
                  {info.data.version.version} ({info.data.version.commit})
                </span>
              </p>
            </>
          )}
        </section>
      </div>
    </>
  );
}
