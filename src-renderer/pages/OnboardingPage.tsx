/**
 * The first-run wizard: one step per screen, each skippable, progress shown. It opens by itself
 * until it was finished or closed once (setup.status().wizardSeen), and from Settings later.
 * Closing it at any point leaves the CRM fully usable, with or without keys.
 */
import { CheckCircle2, Circle, MinusCircle, X } from 'lucide-react';
import { useCallback, useEffect } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { SETUP_STEPS, type SetupStatus } from '../../src-main/api/contract/setup';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { useApp } from '../app-context';
import { AddressStep } from '../components/onboarding/AddressStep';
import { KeysStep } from '../components/onboarding/KeysStep';
import { NumberPicker } from '../components/onboarding/NumberPicker';
import { fill } from '../components/crm/util';
import { Loading, PageHeader } from '../components/States';
import { TestCallPanel } from '../components/TestCallPanel';
import { he } from '../i18n/he';
import { KnowledgeForm, ProfileForm } from './SettingsPage';
import '../styles/onboarding.css';

const t = he.onboarding;
const WIZARD_STEPS = [...SETUP_STEPS, 'done'] as const;
type WizardStep = (typeof WIZARD_STEPS)[number];

const isStep = (s: string | undefined): s is WizardStep => WIZARD_STEPS.includes(s as WizardStep);

function stepState(status: SetupStatus | undefined, id: WizardStep) {
  const s = status?.steps.find((x) => x.id === id);
  return s?.done ? 'done' : s?.skipped ? 'skipped' : 'open';
}

function Stepper({ current, status }: { current: WizardStep; status: SetupStatus | undefined }) {
  const index = WIZARD_STEPS.indexOf(current);
  return (
    <nav className="wizard-stepper" aria-label={t.title}>
      <div className="wizard-progress-text" data-testid="wizard-progress">
        {fill(t.progress, { n: index + 1, total: WIZARD_STEPS.length })}
      </div>
      <div className="wizard-bar" aria-hidden>
        <span style={{ width: `${((index + 1) / WIZARD_STEPS.length) * 100}%` }} />
      </div>
      <ol>
        {WIZARD_STEPS.map((id, i) => {
          const state = id === 'done' ? 'open' : stepState(status, id);
          return (
            <li key={id} className={`wizard-step-link${id === current ? ' current' : ''} state-${state}`}>
              <Link to={`/setup/${id}`} aria-current={id === current ? 'step' : undefined}>
                {state === 'done' ? (
                  <CheckCircle2 size={16} aria-label={t.stepDone} />
                ) : state === 'skipped' ? (
                  <MinusCircle size={16} aria-label={t.stepSkipped} />
                ) : (
                  <span className="wizard-step-num">{i + 1}</span>
                )}
                <span>{t.stepNames[id]}</span>
              </Link>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

function DoneStep({ status, go }: { status: SetupStatus | undefined; go: (s: WizardStep) => void }) {
  if (!status) return <Loading />;
  const open = status.steps.filter((s) => !s.done);
  return (
    <div data-testid="wizard-summary">
      {status.lineReady ? (
        <p className="notice notice-ok" role="status" data-testid="line-ready">
          {t.done.ready}
        </p>
      ) : (
        <p className="notice" data-testid="line-not-ready">
          {t.done.notReady}
        </p>
      )}
      <div className="wizard-summary">
        {status.steps.map((s) => (
          <div className="list-row" key={s.id} data-testid={`summary-${s.id}`} data-done={s.done}>
            <span className="summary-item">
              {s.done ? (
                <CheckCircle2 color="var(--color-success)" aria-hidden />
              ) : (
                <Circle color="var(--color-text-faint)" aria-hidden />
              )}
              <span>
                <strong>{he.dashboard.steps[s.id]}</strong>
                <span className="hint">{he.dashboard.stepHints[s.id]}</span>
              </span>
            </span>
            <span className="summary-actions">
              {s.done ? (
                <span className="badge badge-ok">{t.stepDone}</span>
              ) : (
                <>
                  {s.skipped && <span className="badge">{t.stepSkipped}</span>}
                  <button className="btn btn-sm" onClick={() => go(s.id)}>
                    {t.done.goTo}
                  </button>
                </>
              )}
            </span>
          </div>
        ))}
      </div>
      {open.length > 0 && <p className="hint">{t.done.crmNote}</p>}
    </div>
  );
}

export function OnboardingPage() {
  const params = useParams();
  const step: WizardStep = isStep(params.step) ? params.step : 'profile';
  const navigate = useNavigate();
  const { business } = useApp();
  const status = useQuery(() => api.call('setup.status'), [step]);
  const index = WIZARD_STEPS.indexOf(step);
  const last = step === 'done';

  const go = useCallback((s: WizardStep) => navigate(`/setup/${s}`), [navigate]);
  const next = () => {
    // Moving on from a step skipped earlier: it is no longer "skipped".
    if (step !== 'done' && stepState(status.data, step) === 'skipped')
      void api.call('setup.mark', { skipped: { step, value: false } }).catch(() => undefined);
    go(WIZARD_STEPS[index + 1] ?? 'done');
  };
  const skip = async () => {
    if (step !== 'done')
      await api.call('setup.mark', { skipped: { step, value: true } }).catch(() => undefined);
    go(WIZARD_STEPS[index + 1] ?? 'done');
  };
  const close = async () => {
    await api.call('setup.mark', { wizardSeen: true }).catch(() => undefined);
    navigate('/');
  };
  useEffect(() => {
    document.querySelector('.content')?.scrollTo(0, 0);
  }, [step]);

  const body = (() => {
    if (!business && (step === 'profile' || step === 'knowledge')) return <Loading />;
    switch (step) {
      case 'profile':
        return <ProfileForm business={business!} bare essentials submitLabel={t.saveNext} onSaved={next} />;
      case 'knowledge':
        return <KnowledgeForm business={business!} bare submitLabel={t.saveNext} onSaved={next} />;
      case 'keys':
        return <KeysStep />;
      case 'address':
        return <AddressStep onNeedKeys={() => go('keys')} />;
      case 'number':
        return <NumberPicker onNeedKeys={() => go('keys')} />;
      case 'test_call':
        return <TestCallPanel />;
      case 'done':
        return <DoneStep status={status.data} go={go} />;
    }
  })();
  const formStep = step === 'profile' || step === 'knowledge';

  return (
    <div className="wizard" data-testid="wizard" data-step={step}>
      <PageHeader
        title={t.title}
        subtitle={t.subtitle}
        actions={
          <button className="btn btn-ghost" onClick={() => void close()} data-testid="wizard-close">
            <X size={16} />
            {t.close}
          </button>
        }
      />
      <Stepper current={step} status={status.data} />
      <section className="card wizard-card" aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title">{step === 'done' ? t.stepNames.done : he.dashboard.steps[step]}</h2>
        <p className="hint">{t.intros[step]}</p>
        <div className="wizard-body">{body}</div>
        <div className="wizard-nav">
          {index > 0 ? (
            <button
              className="btn btn-ghost"
              onClick={() => go(WIZARD_STEPS[index - 1]!)}
              data-testid="wizard-back"
            >
              {t.back}
            </button>
          ) : (
            <span />
          )}
          <div className="wizard-nav-end">
            {!last && (
              <button className="btn" onClick={() => void skip()} data-testid="wizard-skip">
                {t.skip}
              </button>
            )}
            {last ? (
              <button className="btn btn-primary" onClick={() => void close()} data-testid="wizard-finish">
                {t.finish}
              </button>
            ) : (
              !formStep && (
                <button className="btn btn-primary" onClick={next} data-testid="wizard-next">
                  {t.next}
                </button>
              )
            )}
          </div>
        </div>
      </section>
    </div>
  );
}
