import { useEffect, useState, type FormEvent } from 'react';
import {
  businessProfileSchema,
  type Business,
  type BusinessProfile,
  type Knowledge,
} from '../../src-main/api/contract/business';
import { businessMethods, isBuilt } from '../../src-main/api/contract/business';
import { SECRET_KEYS } from '../../src-main/api/contract/system';
import { api } from '../api';
import { SelectField } from '../components/SelectField';
import {
  FieldMessage,
  issueMessage,
  schemaErrors,
  serverFieldErrors,
  useFormErrors,
} from '../components/form';
import type { FieldIssue } from '../../src-main/api/field-issues';
import { formatPhone } from '../lib/format';
import { useQuery } from '../api/hooks';
import { useApp } from '../app-context';
import { useAvailable } from '../lib/capabilities';
import { Wand2 } from 'lucide-react';
import { Link, useSearchParams } from 'react-router-dom';
import { BillingSettingsSection } from '../components/billing/BillingSettingsSection';
import { ConnectionSection } from '../components/ConnectionSection';
import { KeyLabel, keyLabelText } from '../components/KeyLabel';
import { PAYMENT_SECRET_KEYS, PaymentsSettingsSection } from '../components/PaymentsSettingsSection';
import { DoctorSection } from '../components/DoctorSection';
import { BackupSection } from '../components/BackupSection';
import { DesktopSection } from '../components/DesktopSection';
import { FeatureFlagsSection } from '../components/FeatureFlagsSection';
import { VoiceSettingsSection } from '../components/VoiceSettingsSection';
import { WhatsAppSettingsSection } from '../components/WhatsAppSettingsSection';
import { ErrorState, Loading, PageHeader, errorMessage } from '../components/States';
import { he } from '../i18n/he';

type Status = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string };

function StatusLine({ status }: { status: Status }) {
  if (status.kind === 'saved')
    return (
      <span className="badge badge-ok" role="status">
        {he.common.saved}
      </span>
    );
  if (status.kind === 'error')
    return (
      <span className="badge badge-fail" role="alert">
        {status.message}
      </span>
    );
  return null;
}

const BUSINESS_TYPES = Object.keys(he.settings.businessTypes) as Array<BusinessProfile['businessType']>;
const PROFILE_KEYS = Object.keys(businessProfileSchema.shape) as Array<keyof BusinessProfile>;

const PROFILE_ERRORS: Partial<Record<keyof BusinessProfile, string>> = {
  vatId: he.settings.errors.vatId,
  email: he.settings.errors.email,
  name: he.settings.errors.name,
  phone: he.settings.errors.phone,
  ownerPhone: he.settings.errors.phone,
};

/** A profile field's problem: its own sentence where it has one (a phone's reason first). */
const profileMessage = (issue: FieldIssue): string =>
  issue.kind === 'rule' && he.crm.form.phoneProblems[issue.reason ?? '']
    ? issueMessage(issue)
    : (PROFILE_ERRORS[String(issue.path[0]) as keyof BusinessProfile] ?? issueMessage(issue));

/** The fields the first-run wizard's short profile shows. */
const ESSENTIAL_KEYS = new Set(['name', 'businessType', 'phone', 'ownerPhone']);

/** Phones are kept as +972…; the owner reads and types them the Israeli way (05X-XXXXXXX). */
const toForm = (b: Business): BusinessProfile => ({
  ...b,
  phone: formatPhone(b.phone) || b.phone,
  ownerPhone: formatPhone(b.ownerPhone) || b.ownerPhone,
});

/** The saving forms are shared with the onboarding wizard (its profile and knowledge steps). */
export interface SharedFormProps {
  business: Business;
  /** Called after a successful save (the wizard moves on). */
  onSaved?: () => void;
  /** The wizard's button text ("save and continue"). */
  submitLabel?: string;
  /** Without the card's own title (the wizard shows the step's). */
  bare?: boolean;
}

export function ProfileForm({
  business,
  onSaved,
  submitLabel,
  bare,
  essentials,
}: SharedFormProps & { essentials?: boolean }) {
  const [form, setForm] = useState<BusinessProfile>(() => toForm(business));
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  useEffect(() => setForm(toForm(business)), [business]);
  // Only the profile's own fields: the form was filled from the whole business record.
  const profile = Object.fromEntries(PROFILE_KEYS.map((k) => [k, form[k]])) as BusinessProfile;
  // Every field's problem at once, by the API's own schema (the fields this form shows).
  const all = schemaErrors(businessMethods['business.updateProfile'].input, profile, profileMessage);
  const check = useFormErrors(
    essentials ? Object.fromEntries(Object.entries(all).filter(([k]) => ESSENTIAL_KEYS.has(k))) : all,
  );

  const set = <K extends keyof BusinessProfile>(key: K, value: BusinessProfile[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    check.changed(key);
  };
  const text = (key: Exclude<keyof BusinessProfile, 'vatRateBp' | 'businessType'>, ltr = false) => (
    <div className="field">
      <label htmlFor={`f-${key}`}>{he.settings.fields[key]}</label>
      <input
        id={`f-${key}`}
        name={key}
        className="input"
        dir={ltr ? 'ltr' : undefined}
        value={form[key]}
        aria-invalid={check.error(key) ? 'true' : undefined}
        aria-describedby={check.error(key) ? `f-${key}-error` : undefined}
        onChange={(e) => set(key, e.target.value)}
        onBlur={() => check.blur(key)}
      />
      {check.error(key) && (
        <span className="error" id={`f-${key}-error`}>
          <FieldMessage text={check.error(key)!} />
        </span>
      )}
    </div>
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!check.submit()) return setStatus({ kind: 'idle' });
    setStatus({ kind: 'saving' });
    try {
      await api.call('business.updateProfile', profile);
      setStatus({ kind: 'saved' });
      onSaved?.();
    } catch (err) {
      check.setServer(serverFieldErrors(err, profileMessage));
      setStatus({ kind: 'error', message: errorMessage(err) });
    }
  };

  return (
    <form className={bare ? 'wizard-form' : 'card'} onSubmit={submit} data-testid="profile-form">
      {!bare && <h2>{he.settings.profileTitle}</h2>}
      {!bare && <p className="hint">{he.settings.profileHint}</p>}
      <div className="grid grid-2">
        {text('name')}
        {!essentials && text('legalName')}
        {!essentials && text('vatId', true)}
        <SelectField
          id="f-businessType"
          label={he.settings.fields.businessType}
          value={form.businessType}
          options={BUSINESS_TYPES}
          labels={he.settings.businessTypes}
          onChange={(v) => set('businessType', v)}
        />
        {text('phone', true)}
        {text('ownerPhone', true)}
        {!essentials && text('email', true)}
        {!essentials && text('website', true)}
        {!essentials && text('address')}
        {!essentials && text('city')}
        {!essentials && (
          <div className="field">
            <label htmlFor="f-vat">{he.settings.fields.vatRate}</label>
            <input
              id="f-vat"
              className="input"
              type="number"
              min={0}
              max={50}
              step={0.5}
              dir="ltr"
              value={form.vatRateBp / 100}
              onChange={(e) => set('vatRateBp', Math.round(Number(e.target.value) * 100))}
            />
          </div>
        )}
      </div>
      <div className="form-actions">
        <button className="btn btn-primary" type="submit" disabled={status.kind === 'saving'}>
          {status.kind === 'saving' ? he.common.saving : (submitLabel ?? he.common.save)}
        </button>
        <StatusLine status={status} />
      </div>
    </form>
  );
}

export function KnowledgeForm({ business, onSaved, submitLabel, bare }: SharedFormProps) {
  const [form, setForm] = useState<Knowledge>(business.knowledge);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  useEffect(() => setForm(business.knowledge), [business]);
  const area = (key: 'greeting' | 'hours' | 'services' | 'prices' | 'freeText') => (
    <div className="field">
      <label htmlFor={`k-${key}`}>{he.settings.fields[key]}</label>
      <textarea
        id={`k-${key}`}
        className="textarea"
        value={form[key]}
        onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))}
      />
    </div>
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus({ kind: 'saving' });
    try {
      await api.call('business.updateKnowledge', {
        ...form,
        faq: form.faq.filter((f) => f.q.trim() && f.a.trim()),
      });
      setStatus({ kind: 'saved' });
      onSaved?.();
    } catch (err) {
      setStatus({ kind: 'error', message: errorMessage(err) });
    }
  };
  return (
    <form className={bare ? 'wizard-form' : 'card'} onSubmit={submit} data-testid="knowledge-form">
      {!bare && <h2>{he.settings.knowledgeTitle}</h2>}
      {!bare && <p className="hint">{he.settings.knowledgeHint}</p>}
      <div className="grid grid-2">
        {area('greeting')}
        {area('hours')}
        {area('services')}
        {area('prices')}
      </div>
      <div className="field" style={{ marginTop: 16 }}>
        <label>{he.settings.fields.faq}</label>
        {form.faq.map((item, i) => (
          <div key={i} className="grid grid-2" style={{ alignItems: 'end', marginBottom: 8 }}>
            <input
              className="input"
              aria-label={he.settings.fields.faqQ}
              placeholder={he.settings.fields.faqQ}
              value={item.q}
              onChange={(e) =>
                setForm((f) => ({
                  ...f,
                  faq: f.faq.map((x, j) => (j === i ? { ...x, q: e.target.value } : x)),
                }))
              }
            />
            <div style={{ display: 'flex', gap: 8 }}>
              <input
                className="input"
                aria-label={he.settings.fields.faqA}
                placeholder={he.settings.fields.faqA}
                value={item.a}
                onChange={(e) =>
                  setForm((f) => ({
                    ...f,
                    faq: f.faq.map((x, j) => (j === i ? { ...x, a: e.target.value } : x)),
                  }))
                }
              />
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => setForm((f) => ({ ...f, faq: f.faq.filter((_, j) => j !== i) }))}
              >
                {he.settings.fields.faqRemove}
              </button>
            </div>
          </div>
        ))}
        <div>
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => setForm((f) => ({ ...f, faq: [...f.faq, { q: '', a: '' }] }))}
          >
            {he.settings.fields.faqAdd}
          </button>
        </div>
      </div>
      <div style={{ marginTop: 16 }}>{area('freeText')}</div>
      <div className="form-actions">
        <button className="btn btn-primary" type="submit" disabled={status.kind === 'saving'}>
          {status.kind === 'saving' ? he.common.saving : (submitLabel ?? he.common.save)}
        </button>
        <StatusLine status={status} />
      </div>
    </form>
  );
}

function KeysSection() {
  const q = useQuery(() => api.call('secrets.status'), []);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const save = async (name: (typeof SECRET_KEYS)[number], value: string | null) => {
    const next = await api.call('secrets.set', { name, value });
    q.setData(next);
    setDrafts((d) => ({ ...d, [name]: '' }));
  };
  return (
    <section className="card" id="keys" data-testid="keys">
      <h2>{he.settings.keysTitle}</h2>
      <p className="hint">{he.settings.keysHint}</p>
      <p className="hint">{he.settings.keysNgrokHint}</p>
      {q.loading && !q.data && <Loading />}
      {q.error !== undefined && <ErrorState error={q.error} onRetry={q.reload} />}
      {q.data &&
        // The payment keys are entered in their own section (with where to get them), once it is built.
        SECRET_KEYS.filter((n) => !isBuilt('payments') || !PAYMENT_SECRET_KEYS.includes(n)).map((name) => (
          <div className="key-row" key={name}>
            <KeyLabel name={name} />
            <span className={`badge ${q.data![name] ? 'badge-ok' : ''}`}>
              {q.data![name] ? he.settings.keySet : he.settings.keyMissing}
            </span>
            <input
              className="input"
              type="password"
              dir="ltr"
              autoComplete="off"
              aria-label={keyLabelText(name)}
              placeholder={he.settings.keyPlaceholder}
              value={drafts[name] ?? ''}
              onChange={(e) => setDrafts((d) => ({ ...d, [name]: e.target.value }))}
            />
            <button
              className="btn btn-sm"
              disabled={!drafts[name]}
              onClick={() => void save(name, drafts[name] ?? '')}
            >
              {he.common.save}
            </button>
            {q.data![name] && (
              <button className="btn btn-sm btn-ghost" onClick={() => void save(name, null)}>
                {he.settings.keyClear}
              </button>
            )}
          </div>
        ))}
    </section>
  );
}

export function SettingsPage() {
  const { business } = useApp();
  // Documents and payments settings while that capability is built and on.
  const invoices = useAvailable('invoices_enabled');
  const [params] = useSearchParams();
  const section = params.get('section');
  // The dashboard checklist links straight to a section (e.g. ?section=connection).
  useEffect(() => {
    if (!section || !business) return;
    document.getElementById(section)?.scrollIntoView({ block: 'start' });
  }, [section, business]);
  return (
    <>
      <PageHeader
        title={he.settings.title}
        actions={
          <Link className="btn" to="/setup" data-testid="open-wizard">
            <Wand2 size={16} />
            {he.onboarding.title}
          </Link>
        }
      />
      {!business ? (
        <Loading />
      ) : (
        <>
          <ProfileForm business={business} />
          <KnowledgeForm business={business} />
          <ConnectionSection />
          <DoctorSection />
          <KeysSection />
          {invoices && <BillingSettingsSection />}
          {isBuilt('payments') && <PaymentsSettingsSection />}
          <BackupSection />
          <WhatsAppSettingsSection />
          <VoiceSettingsSection />
          <FeatureFlagsSection />
          <DesktopSection />
        </>
      )}
    </>
  );
}
