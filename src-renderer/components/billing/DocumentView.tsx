import { Ban, CreditCard, Download, ExternalLink, FileOutput, MessageCircle, Printer } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../api';
import { useQuery } from '../../api/hooks';
import { he } from '../../i18n/he';
import { useAvailable } from '../../lib/capabilities';
import { formatDateTime } from '../../lib/format';
import { Modal } from '../crm/Modal';
import { ErrorState } from '../States';
import { showIsoDate } from './DateInput';
import { errorText } from './DocumentEditor';
import { fileSrc } from './file';
import { DocName, DocStatusBadge, PaidBadge, docTitle } from './labels';
import { Money, Num } from '../format';
import { RecordPaymentDialog } from './RecordPaymentDialog';
import type { BillingDocument, FileRef } from './types';

const v = he.billing.view;

/**
 * An issued (or cancelled) document: its PDF as stored (מקור) or marked העתק, open / save as /
 * print, cancel by a credit note, convert a proposal, record a payment, send on WhatsApp.
 */
export function DocumentView({ doc, onChanged }: { doc: BillingDocument; onChanged: () => void }) {
  const navigate = useNavigate();
  const [copy, setCopy] = useState(false);
  const [file, setFile] = useState<FileRef | null>(null);
  const [fileError, setFileError] = useState<unknown>();
  const [dialog, setDialog] = useState<'cancel' | 'convert' | 'pay' | null>(null);
  const [reason, setReason] = useState('');
  const [convertTo, setConvertTo] = useState<'tax_invoice' | 'tax_invoice_receipt'>('tax_invoice');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [sent, setSent] = useState<'idle' | 'sending' | 'sent'>('idle');
  const frame = useRef<HTMLIFrameElement>(null);
  const whatsapp = useAvailable('whatsapp_enabled');
  const payments = useQuery(
    () => api.call('billing.payments.list', { documentId: doc.id, limit: 50 }),
    [doc.id, doc.updatedAt, doc.paidAgorot],
  );

  useEffect(() => {
    let live = true;
    setFileError(undefined);
    api
      .call('billing.documents.file', { id: doc.id, copy })
      .then((f) => live && setFile(f))
      .catch((e: unknown) => live && setFileError(e));
    return () => {
      live = false;
    };
  }, [doc.id, doc.status, copy]);

  const issued = doc.status === 'issued';
  const canCancel = issued && doc.type !== 'credit_note';
  const canConvert = issued && doc.type === 'proposal';
  const canPay = issued && doc.type === 'tax_invoice' && doc.paidStatus !== 'paid';
  const balance = doc.totalAgorot - doc.paidAgorot;

  const cancel = async () => {
    setBusy(true);
    try {
      const r = await api.call('billing.documents.cancel', { id: doc.id, reason: reason.trim() });
      setDialog(null);
      if (r.creditNote) navigate(`/invoices/${r.creditNote.id}`);
      else onChanged();
    } catch (err) {
      setNotice(errorText(err));
      setDialog(null);
    } finally {
      setBusy(false);
    }
  };
  const convert = async () => {
    setBusy(true);
    try {
      const draft = await api.call('billing.documents.convertProposal', { id: doc.id, type: convertTo });
      navigate(`/invoices/${draft.id}`);
    } catch (err) {
      setNotice(errorText(err));
      setDialog(null);
    } finally {
      setBusy(false);
    }
  };
  /** The PDF as the customer receives it (a copy, מקור stays with the first print) to their WhatsApp. */
  const sendWhatsapp = async () => {
    if (!doc.customerId) return;
    setSent('sending');
    setNotice('');
    try {
      const f = await api.call('billing.documents.file', { id: doc.id, copy: false });
      const blob = await (await fetch(fileSrc(f))).blob();
      const base64 = await new Promise<string>((resolve, reject) => {
        const r = new FileReader();
        r.onload = () => resolve(String(r.result).split(',')[1] ?? '');
        r.onerror = () => reject(new Error('read'));
        r.readAsDataURL(blob);
      });
      await api.call('whatsapp.sendMedia', {
        customerId: doc.customerId,
        file: { name: f.fileName, mime: 'application/pdf', base64 },
        caption: docTitle(doc),
      });
      setSent('sent');
    } catch (err) {
      setSent('idle');
      setNotice(errorText(err));
    }
  };
  const print = () => {
    try {
      frame.current?.contentWindow?.print();
    } catch {
      if (file) window.open(fileSrc(file), '_blank');
    }
  };

  const ref = (r: { id: number; type: BillingDocument['type']; number: number | null }) => (
    <Link to={`/invoices/${r.id}`}>
      <DocName doc={r} />
    </Link>
  );

  return (
    <>
      <div className="doc-head">
        <div>
          <Link to="/invoices" className="muted">
            {he.billing.form.back}
          </Link>
          <h1 data-testid="doc-title">
            <span>
              <DocName doc={doc} />
            </span>
            <DocStatusBadge status={doc.status} />
            <PaidBadge doc={doc} quiet />
          </h1>
        </div>
        <div className="doc-actions">
          <div className="seg" role="group" aria-label={`${v.original} / ${v.copy}`}>
            <button
              className={!copy ? 'active' : undefined}
              aria-pressed={!copy}
              onClick={() => setCopy(false)}
            >
              {v.original}
            </button>
            <button
              className={copy ? 'active' : undefined}
              aria-pressed={copy}
              onClick={() => setCopy(true)}
              data-testid="show-copy"
            >
              {v.copy}
            </button>
          </div>
          <a
            className="btn btn-sm"
            href={file ? fileSrc(file) : undefined}
            target="_blank"
            rel="noreferrer"
            aria-disabled={!file}
          >
            <ExternalLink size={16} /> {v.open}
          </a>
          <a
            className="btn btn-sm"
            href={file ? fileSrc(file) : undefined}
            download={file?.fileName}
            aria-disabled={!file}
            data-testid="save-as"
          >
            <Download size={16} /> {v.save}
          </a>
          <button className="btn btn-sm" onClick={print} disabled={!file}>
            <Printer size={16} /> {v.print}
          </button>
        </div>
      </div>
      <div className="action-bar" role="toolbar" aria-label={docTitle(doc)}>
        {canPay && (
          <button className="btn btn-primary" onClick={() => setDialog('pay')} data-testid="record-payment">
            <CreditCard size={16} /> {v.recordPayment}
          </button>
        )}
        {canConvert && (
          <button className="btn" onClick={() => setDialog('convert')} data-testid="convert">
            <FileOutput size={16} /> {v.convert}
          </button>
        )}
        <button
          className={`btn${whatsapp ? '' : ' unavailable'}`}
          disabled={!whatsapp || !doc.customerId || sent === 'sending'}
          title={whatsapp ? undefined : v.whatsappSoon}
          onClick={() => void sendWhatsapp()}
          data-testid="send-whatsapp"
          data-soon={!whatsapp || undefined}
        >
          <MessageCircle size={16} /> {sent === 'sent' ? v.whatsappSent : v.whatsapp}
          {!whatsapp && <span className="soon">{he.common.soon}</span>}
        </button>
        {canCancel && (
          <button
            className="btn btn-danger"
            onClick={() => setDialog('cancel')}
            data-testid="cancel-document"
          >
            <Ban size={16} /> {doc.type === 'proposal' ? v.cancelProposal : v.cancel}
          </button>
        )}
      </div>
      {!whatsapp && (
        <p className="muted" style={{ marginTop: -8, fontSize: 'var(--text-xs)' }}>
          {v.whatsappSoon}
        </p>
      )}
      {notice && (
        <div className="notice notice-error" role="alert">
          {notice}
        </div>
      )}
      <div className="doc-view">
        <section className="card">
          {fileError !== undefined ? (
            <ErrorState error={fileError} />
          ) : (
            <iframe
              ref={frame}
              className="pdf-frame"
              style={{ height: 760 }}
              title={docTitle(doc)}
              src={file ? `${fileSrc(file)}#toolbar=1&navpanes=0&view=FitH` : undefined}
              data-testid="document-pdf"
              data-sha256={file?.sha256}
            />
          )}
        </section>
        <div>
          <section className="card" data-testid="doc-details">
            <h2 style={{ marginBottom: 12 }}>{v.details}</h2>
            <dl className="kv">
              <dt>{v.number}</dt>
              <dd data-testid="doc-number">{doc.number != null ? <Num value={doc.number} plain /> : '—'}</dd>
              <dt>{he.billing.form.issueDate}</dt>
              <dd>
                <bdi className="num">{showIsoDate(doc.issueDate) || '—'}</bdi>
              </dd>
              {doc.dueDate && (
                <>
                  <dt>{doc.type === 'proposal' ? he.billing.form.validUntil : he.billing.form.dueDate}</dt>
                  <dd>
                    <bdi className="num">{showIsoDate(doc.dueDate)}</bdi>
                  </dd>
                </>
              )}
              <dt>{v.customer}</dt>
              <dd>
                {doc.customerId ? (
                  <Link to={`/customers/${doc.customerId}`}>
                    {doc.customer?.name || he.crm.customers.noName}
                  </Link>
                ) : (
                  (doc.customer?.name ?? '—')
                )}
                {doc.customer?.idNumber && (
                  <div className="muted">
                    <bdi className="num">{doc.customer.idNumber}</bdi>
                  </div>
                )}
              </dd>
              {doc.allocationNumber && (
                <>
                  <dt>{he.billing.form.allocation}</dt>
                  <dd>
                    <bdi className="num">{doc.allocationNumber}</bdi>
                  </dd>
                </>
              )}
              <dt>{he.billing.form.subtotal}</dt>
              <dd>
                <Money exact agorot={doc.subtotalAgorot} />
              </dd>
              <dt>
                {doc.vatRateBp === 0
                  ? he.billing.form.noVat
                  : he.billing.form.vat.replace('{rate}', String(doc.vatRateBp / 100))}
              </dt>
              <dd>
                <Money exact agorot={doc.vatAgorot} />
              </dd>
              <dt>
                <strong>{he.billing.form.total}</strong>
              </dt>
              <dd>
                <strong>
                  <Money exact agorot={doc.totalAgorot} testId="doc-total" />
                </strong>
              </dd>
              {doc.type === 'tax_invoice' && (
                <>
                  <dt>{v.paid}</dt>
                  <dd>
                    <Money exact agorot={doc.paidAgorot} testId="doc-paid-amount" />
                  </dd>
                  <dt>{v.balance}</dt>
                  <dd>
                    <Money exact agorot={balance} testId="doc-balance" />
                  </dd>
                </>
              )}
              {doc.related && (
                <>
                  <dt>{doc.type === 'credit_note' ? v.relatedCancels : v.relatedFrom}</dt>
                  <dd>{ref(doc.related)}</dd>
                </>
              )}
              {doc.cancelledBy && (
                <>
                  <dt>{v.relatedCancelledBy}</dt>
                  <dd data-testid="cancelled-by">{ref(doc.cancelledBy)}</dd>
                </>
              )}
              {doc.convertedTo.length > 0 && (
                <>
                  <dt>{v.convertedTo}</dt>
                  <dd>
                    {doc.convertedTo.map((r) => (
                      <div key={r.id}>{ref(r)}</div>
                    ))}
                  </dd>
                </>
              )}
              {doc.issuedAt && (
                <>
                  <dt>{v.issuedAt}</dt>
                  <dd>
                    <bdi className="num">{formatDateTime(doc.issuedAt)}</bdi>
                  </dd>
                </>
              )}
            </dl>
            <p className="hint" style={{ marginTop: 12, marginBottom: 0 }}>
              {v.immutable}
            </p>
          </section>
          {doc.type === 'tax_invoice' && (
            <section className="card side-list" data-testid="doc-payments-list">
              <h2 style={{ marginBottom: 8 }}>{v.payments}</h2>
              {payments.data?.items.length === 0 && <p className="muted">{v.noPayments}</p>}
              {payments.data?.items.map((p) => (
                <div className="list-row" key={p.id}>
                  <span>
                    {he.billing.methods[p.method]}
                    <div className="muted" style={{ fontSize: 'var(--text-xs)' }}>
                      <bdi className="num">{p.paidAt ? formatDateTime(p.paidAt) : ''}</bdi>
                      {p.receiptDocumentId && (
                        <>
                          {' · '}
                          <Link to={`/invoices/${p.receiptDocumentId}`}>
                            {v.receipt} <bdi className="num">{p.receiptNumber}</bdi>
                          </Link>
                        </>
                      )}
                    </div>
                  </span>
                  <strong>
                    <Money exact agorot={p.amountAgorot} />
                  </strong>
                </div>
              ))}
            </section>
          )}
        </div>
      </div>

      {dialog === 'cancel' && (
        <Modal
          title={v.cancelTitle.replace('{doc}', docTitle(doc))}
          onClose={() => !busy && setDialog(null)}
          testId="cancel-confirm"
        >
          <p>{doc.type === 'proposal' ? v.cancelProposalConfirm : v.cancelConfirm}</p>
          {doc.type !== 'proposal' && (
            <div className="field">
              <label htmlFor="cancel-reason">{v.cancelReason}</label>
              <input
                id="cancel-reason"
                className="input"
                maxLength={500}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
            </div>
          )}
          <div className="form-actions">
            <button
              className="btn btn-danger"
              disabled={busy}
              onClick={() => void cancel()}
              data-testid="cancel-confirm-button"
            >
              {doc.type === 'proposal' ? v.cancelProposal : v.cancelButton}
            </button>
            <button className="btn btn-ghost" disabled={busy} onClick={() => setDialog(null)}>
              {he.common.close}
            </button>
          </div>
        </Modal>
      )}
      {dialog === 'convert' && (
        <Modal title={v.convertTitle} onClose={() => !busy && setDialog(null)} testId="convert-dialog">
          <p>{v.convertHint}</p>
          <div className="field">
            <label htmlFor="convert-type">{v.convertTo}</label>
            <select
              id="convert-type"
              className="select"
              value={convertTo}
              onChange={(e) => setConvertTo(e.target.value as typeof convertTo)}
            >
              <option value="tax_invoice">{he.billing.types.tax_invoice}</option>
              <option value="tax_invoice_receipt">{he.billing.types.tax_invoice_receipt}</option>
            </select>
          </div>
          <div className="form-actions">
            <button className="btn btn-primary" disabled={busy} onClick={() => void convert()}>
              {v.convertButton}
            </button>
            <button className="btn btn-ghost" disabled={busy} onClick={() => setDialog(null)}>
              {he.common.cancel}
            </button>
          </div>
        </Modal>
      )}
      {dialog === 'pay' && (
        <RecordPaymentDialog
          document={{
            id: doc.id,
            type: doc.type,
            number: doc.number,
            customerId: doc.customerId,
            customerName: doc.customer?.name ?? null,
            balanceAgorot: balance,
          }}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            onChanged();
            payments.reload();
          }}
        />
      )}
    </>
  );
}
