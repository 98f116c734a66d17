import { CheckCircle2, Circle } from 'lucide-react';
import { useEffect } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { SetupStatus, SetupStep } from '../../src-main/api/contract/setup';
import { isBuilt, type Capability } from '../../src-main/api/contract/business';
import type { Readiness } from '../../src-main/api/contract/system';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { useApp } from '../app-context';
import { CrmDashboard } from '../components/crm/CrmDashboard';
import { ErrorState, Loading, PageHeader } from '../components/States';
import { he } from '../i18n/he';

const STATE_CLASS = { ok: 'badge-ok', disabled: 'badge', fail: 'badge-fail' } as const;

function ReadinessList({ readiness }: { readiness: Readiness }) {
  // Services of capabilities that are not built yet are left out (nothing to set up for them).
  const rows = (
    [
      [he.dashboard.readiness.db, readiness.db, 'calls'],
      [he.dashboard.readiness.openai, readiness.openai, 'calls'],
      [he.dashboard.readiness.tts, readiness.tts, 'calls'],
      [he.dashboard.readiness.whatsapp, readiness.whatsapp, 'whatsapp'],
      [he.dashboard.readiness.tunnel, readiness.tunnel, 'calls'],
      [he.dashboard.readiness.paypal, readiness.payments.paypal, 'payments'],
      [he.dashboard.readiness.tranzila, readiness.payments.tranzila, 'payments'],
    ] as Array<[string, Readiness['db'], Capability]>
  ).filter(([, , c]) => isBuilt(c));
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

/** Where Settings keeps each step, for the checklist's second link. */
const SETTINGS_SECTION: Partial<Record<SetupStep, string>> = {
  keys: 'keys',
  address: 'connection',
  number: 'connection',
};

/** The same steps as the wizard (setup.status), each green only when it really works. */
function SetupChecklist({ status, error }: { status: SetupStatus | undefined; error: unknown }) {
  return (
    <section className="card" data-testid="setup-checklist">
      <h2>{he.dashboard.setupTitle}</h2>
      <p className="hint">{he.dashboard.setupHint}</p>
      {status?.lineReady && (
        <p className="notice notice-ok" role="status" data-testid="dashboard-line-ready">
          {he.dashboard.setupReady}
        </p>
      )}
      {!status && error === undefined && <Loading />}
      {!status && error !== undefined && <p className="notice">{he.dashboard.setupUnavailable}</p>}
      {status?.steps.map((s) => (
        <div className="list-row" key={s.id} data-testid={`check-${s.id}`} data-done={s.done}>
          <span style={{ display: 'flex', gap: 10, alignItems: 'center' }}>
            {s.done ? (
              <CheckCircle2 color="var(--color-success)" aria-label={he.onboarding.stepDone} />
            ) : (
              <Circle color="var(--color-text-faint)" aria-hidden />
            )}
            <span>
              <Link to={`/setup/${s.id}`}>{he.dashboard.steps[s.id]}</Link>
              <div className="hint" style={{ margin: 0 }}>
                {he.dashboard.stepHints[s.id]}
              </div>
            </span>
          </span>
          <span style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
            {s.skipped && !s.done && <span className="badge">{he.dashboard.setupSkipped}</span>}
            {SETTINGS_SECTION[s.id] && (
              <Link className="btn btn-sm btn-ghost" to={`/settings?section=${SETTINGS_SECTION[s.id]}`}>
                {he.dashboard.setupInSettings}
              </Link>
            )}
          </span>
        </div>
      ))}
      {status && !status.lineReady && (
        <div className="form-actions" style={{ marginTop: 12 }}>
          <Link className="btn btn-primary" to="/setup">
            {he.dashboard.setupOpenWizard}
          </Link>
        </div>
      )}
    </section>
  );
}

let wizardOpened = false;

export function DashboardPage() {
  const { business } = useApp();
  const info = useQuery(() => api.call('system.info'), []);
  const setup = useQuery(() => api.call('setup.status'), []);
  // First run: the wizard opens by itself (once per launch, so the dashboard stays reachable
  // from the navigation) until it was finished or closed once.
  const navigate = useNavigate();
  const firstRun = !!setup.data && !setup.data.wizardSeen && !wizardOpened;
  useEffect(() => {
    if (!firstRun) return;
    wizardOpened = true;
    navigate('/setup', { replace: true });
  }, [firstRun, navigate]);
  return (
    <>
      <PageHeader
        title={business?.name ? `${he.dashboard.welcome}, ${business.name}` : he.dashboard.welcomeNoName}
        subtitle={he.app.tagline}
      />
      <CrmDashboard />
      <div className="grid grid-2">
        <SetupChecklist status={setup.data} error={setup.error} />
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
