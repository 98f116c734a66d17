import { useState } from 'react';
import type { PLACEHOLDER_NAMES } from '../../src-main/api/contract/contracts';
import { Link, useParams } from 'react-router-dom';
import { api, ApiCallError } from '../api';
import { fileSrc } from '../components/billing/file';
import { PdfFrame } from '../components/billing/PdfFrame';
import { useEvent, useQuery } from '../api/hooks';
import { ContractText } from '../components/contracts/ContractText';
import { ErrorState, Loading, PageHeader, errorMessage } from '../components/States';
import { useApp } from '../app-context';
import { useAvailable } from '../lib/capabilities';
import { he } from '../i18n/he';
import { formatDateTime } from '../lib/format';
import '../styles/crm.css';

const t = he.contracts;
type Placeholder = (typeof PLACEHOLDER_NAMES)[number];

/** One contract: its text, status and history, and the owner's actions. */
export function ContractPage() {
  const id = Number(useParams().id);
  const contract = useQuery(() => api.call('contracts.get', { id }), [id]);
  const history = useQuery(() => api.call('audit.history', { entityType: 'contract', entityId: id }), [id]);
  const [link, setLink] = useState<string | null | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [voiding, setVoiding] = useState(false);
  const [reason, setReason] = useState('');
  const [verify, setVerify] = useState<{ ok: boolean; problems: string[] }>();
  const [fill, setFill] = useState<Partial<Record<Placeholder, string>> | null>(null);
  const [sent, setSent] = useState<string>();
  const [pdf, setPdf] = useState<{ title: string; file: { url: string; sha256: string } }>();
  const { business } = useApp();
  const whatsappOn = useAvailable('whatsapp_enabled');
  // Opened or signed by the customer meanwhile (a link, or the signing window): shown as it happens.
  useEvent('contracts.changed', (e) => e.id === id && (contract.reload(), history.reload()));

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
      contract.reload();
      history.reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (contract.error !== undefined) return <ErrorState error={contract.error} onRetry={contract.reload} />;
  const c = contract.data;
  if (!c) return <Loading />;
  const open = c.status !== 'signed' && c.status !== 'cancelled';

  return (
    <>
      <PageHeader title={`${c.title} ${c.number ?? ''}`} subtitle={c.customerName} />
      <section className="card crm-card" data-testid="contract-page">
        <p>
          {t.columns.status}:{' '}
          <span className="badge" data-testid="contract-status" data-status={c.status}>
            {t.status[c.status]}
          </span>{' '}
          · <Link to={`/customers/${c.customerId}`}>{c.customerName}</Link>
        </p>
        {c.missing.length > 0 && (
          <div className="notice notice-warn" data-testid="contract-missing">
            {t.missing} {c.missing.map((m) => t.placeholders[m]).join(', ')}{' '}
            {c.status === 'draft' && fill === null && (
              <button className="btn btn-sm" onClick={() => setFill({})} data-testid="fill-blanks">
                {t.fill}
              </button>
            )}
          </div>
        )}
        {fill !== null && (
          <form
            className="notice"
            data-testid="fill-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                const values = Object.fromEntries(Object.entries(fill).filter(([, v]) => v?.trim()));
                await api.call('contracts.update', { id: c.id, values });
                setFill(null);
              });
            }}
          >
            {c.missing.map((m) => (
              <div className="field" key={m}>
                <label htmlFor={`fill-${m}`}>{t.placeholders[m]}</label>
                <input
                  id={`fill-${m}`}
                  className="input"
                  value={fill[m] ?? ''}
                  onChange={(e) => setFill({ ...fill, [m]: e.target.value })}
                  data-testid={`fill-${m}`}
                />
              </div>
            ))}
            <div className="crm-toolbar">
              <button className="btn btn-primary" type="submit" disabled={busy} data-testid="fill-save">
                {t.fillSave}
              </button>
              <button className="btn btn-ghost" type="button" onClick={() => setFill(null)}>
                {he.common.cancel}
              </button>
            </div>
          </form>
        )}
        {c.voidReason && (
          <p className="muted">
            {t.voidReason}: {c.voidReason}
          </p>
        )}
        <div className="crm-toolbar">
          {open && (
            <Link
              className="btn btn-primary"
              to={`/sign-in-office/${c.id}`}
              data-testid="sign-here"
              onClick={(e) => {
                // Under Electron the signing screen is its own full-screen window (on a second
                // display when there is one); in a browser it replaces this page.
                if (!window.agentlocator) return;
                e.preventDefault();
                window.open(`#/sign-in-office/${c.id}`);
              }}
            >
              {t.signHere}
            </Link>
          )}
          {open && (
            <button
              className="btn"
              disabled={busy || c.missing.length > 0}
              data-testid="send-link"
              onClick={() =>
                run(async () => {
                  const r = await api.call('contracts.send', { id: c.id, days: 7 });
                  setLink(r.link);
                })
              }
            >
              {t.sendLink}
            </button>
          )}
          {c.status === 'signed' && (
            <button
              className="btn"
              disabled={busy}
              data-testid="open-pdf"
              onClick={() =>
                run(async () => {
                  setPdf({ title: t.openPdf, file: await api.call('contracts.file', { id: c.id }) });
                })
              }
            >
              {t.openPdf}
            </button>
          )}
          {c.status !== 'signed' && (
            <button
              className="btn"
              disabled={busy}
              data-testid="preview-pdf"
              onClick={() =>
                run(async () => {
                  setPdf({ title: t.previewPdf, file: await api.call('contracts.previewPdf', { id: c.id }) });
                })
              }
            >
              {t.previewPdf}
            </button>
          )}
          <button
            className="btn"
            disabled={busy}
            data-testid="verify"
            onClick={() =>
              run(async () => {
                const r = await api.call('contracts.verify', { id: c.id });
                setVerify({ ok: r.ok, problems: r.problems.map((p) => t.problems[p.kind]) });
              })
            }
          >
            {t.verify}
          </button>
          {open && !voiding && (
            <button className="btn btn-ghost" onClick={() => setVoiding(true)} data-testid="void">
              {t.void}
            </button>
          )}
        </div>
        {voiding && (
          <div className="notice notice-warn" role="dialog" aria-label={t.voidTitle}>
            <p>{t.voidTitle}</p>
            <input
              className="input"
              aria-label={t.voidReason}
              placeholder={t.voidReason}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              data-testid="void-reason"
            />
            <button
              className="btn btn-danger"
              disabled={busy || reason.trim().length < 2}
              data-testid="void-confirm"
              onClick={() =>
                run(async () => {
                  await api.call('contracts.void', { id: c.id, reason: reason.trim() });
                  setVoiding(false);
                })
              }
            >
              {t.voidConfirm}
            </button>
            <button className="btn btn-ghost" onClick={() => setVoiding(false)}>
              {he.common.cancel}
            </button>
          </div>
        )}
        {link !== undefined && (
          <div className="notice" data-testid="sign-link">
            {link ? (
              <>
                <p>{t.linkReady}</p>
                <bdi dir="ltr" className="num" data-testid="sign-link-url">
                  {link}
                </bdi>{' '}
                <button className="btn btn-sm" onClick={() => void navigator.clipboard?.writeText(link)}>
                  {t.copy}
                </button>{' '}
                {whatsappOn && (
                  <button
                    className="btn btn-sm"
                    disabled={busy}
                    data-testid="send-whatsapp"
                    onClick={() =>
                      run(async () => {
                        try {
                          await api.call('whatsapp.send', {
                            customerId: c.customerId,
                            text: t.whatsappText(c.customerName, business?.name ?? '', c.title, link),
                          });
                          setSent(t.whatsappSent);
                        } catch (e) {
                          if (!(e instanceof ApiCallError && e.body.error === 'no_phone')) throw e;
                          setSent(t.whatsappNoPhone);
                        }
                      })
                    }
                  >
                    {t.whatsapp}
                  </button>
                )}
                {sent && (
                  <p role="status" data-testid="whatsapp-sent">
                    {sent}
                  </p>
                )}
              </>
            ) : (
              <p>{t.noPublicAddress}</p>
            )}
          </div>
        )}
        {verify && (
          <div className={verify.ok ? 'notice' : 'notice notice-warn'} data-testid="verify-result">
            {verify.ok ? `✅ ${t.verifyOk}` : `${t.verifyBroken} ${verify.problems.join(', ')}`}
          </div>
        )}
        {error && (
          <div className="notice notice-warn" role="alert">
            {error}
          </div>
        )}
        {pdf && (
          <div data-testid="contract-pdf">
            <div className="crm-toolbar">
              <h3>{pdf.title}</h3>
              <a className="btn btn-sm" href={fileSrc(pdf.file)} target="_blank" rel="noreferrer">
                {t.openPdfWindow}
              </a>
              <button className="btn btn-sm btn-ghost" onClick={() => setPdf(undefined)}>
                {he.common.close}
              </button>
            </div>
            <PdfFrame file={pdf.file} title={pdf.title} testId="contract-pdf-frame" />
          </div>
        )}
        <ContractText body={c.body} />
        <h3>{t.history}</h3>
        <ul data-testid="contract-history">
          {(history.data ?? []).map((e) => (
            <li key={e.id}>
              <bdi className="num">{formatDateTime(e.createdAt)}</bdi> —{' '}
              {(t.events as Record<string, string>)[e.event] ?? e.event}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
