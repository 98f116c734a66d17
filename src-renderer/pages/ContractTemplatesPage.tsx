import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { contractsMethods, PLACEHOLDER_NAMES } from '../../src-main/api/contract/contracts';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { ContractText } from '../components/contracts/ContractText';
import { FieldMessage, schemaErrors, serverFieldErrors, useFormErrors } from '../components/form';
import { ErrorState, Loading, PageHeader, errorMessage } from '../components/States';
import { he } from '../i18n/he';
import { placeholderLabel as label, toEditable, toStored } from '../lib/contract-placeholders';
import { useDebounced } from '../lib/use-debounced';
import '../styles/crm.css';
import '../styles/contracts.css';

const t = he.contracts.templates;
type Placeholder = (typeof PLACEHOLDER_NAMES)[number];

/**
 * The template editor: the newest version of each template, its text with a live preview (the
 * business's own values filled in, the customer's shown as blanks), and buttons that insert a
 * placeholder at the cursor. Saving an edited template stores a new version.
 */
export function ContractTemplatesPage() {
  const templates = useQuery(() => api.call('contracts.templates.list'), []);
  const [params, setParams] = useSearchParams();
  const selected = params.get('id') === 'new' ? 'new' : Number(params.get('id')) || null;
  const list = templates.data ?? [];
  const current = selected === 'new' ? null : (list.find((x) => x.id === selected) ?? list[0] ?? null);
  // The version just saved, said beside the button of the editor that opens on it.
  const [saved, setSaved] = useState<{ id: number; version: number }>();

  if (templates.error !== undefined) return <ErrorState error={templates.error} onRetry={templates.reload} />;
  if (!templates.data) return <Loading />;
  return (
    <>
      <PageHeader
        title={t.title}
        subtitle={t.subtitle}
        actions={
          <Link className="btn btn-ghost" to="/contracts">
            {t.back}
          </Link>
        }
      />
      <section className="card crm-card">
        <div className="template-list">
          {list.map((x) => (
            <button
              key={x.id}
              className="btn"
              aria-current={selected !== 'new' && current?.id === x.id}
              onClick={() => setParams({ id: String(x.id) }, { replace: true })}
              data-testid="template-item"
            >
              {x.name}{' '}
              <span className="muted">
                · {t.version} <bdi className="num">{x.version}</bdi>
              </span>
            </button>
          ))}
          <button
            className="btn btn-ghost"
            aria-current={selected === 'new'}
            onClick={() => setParams({ id: 'new' }, { replace: true })}
            data-testid="template-new"
          >
            + {t.new}
          </button>
        </div>
        <TemplateEditor
          key={selected === 'new' ? 'new' : (current?.id ?? 'none')}
          template={current}
          savedVersion={saved && saved.id === current?.id ? saved.version : undefined}
          onSaved={(id, version) => {
            setSaved({ id, version });
            templates.reload();
            setParams({ id: String(id) }, { replace: true });
          }}
        />
      </section>
    </>
  );
}

function TemplateEditor({
  template,
  savedVersion,
  onSaved,
}: {
  template: { id: number; name: string; body: string; version: number; requiresIdNumber: boolean } | null;
  savedVersion?: number;
  onSaved: (id: number, version: number) => void;
}) {
  const [name, setName] = useState(template?.name ?? '');
  // What the owner sees and types: placeholders by their Hebrew names (stored as `{{…}}`).
  const [body, setBody] = useState(toEditable(template?.body ?? ''));
  const [requiresId, setRequiresId] = useState(template?.requiresIdNumber ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const area = useRef<HTMLTextAreaElement>(null);
  const typed = useDebounced(body, 250);
  const [preview, setPreview] = useState<{ text: string; unknown: string[] }>();
  useEffect(() => {
    let live = true;
    api
      .call('contracts.preview', { body: toStored(typed) })
      .then((r) => live && setPreview({ text: r.text, unknown: r.unknown }))
      .catch(() => live && setPreview(undefined));
    return () => {
      live = false;
    };
  }, [typed]);

  const changed =
    !template ||
    name !== template.name ||
    toStored(body) !== template.body ||
    requiresId !== template.requiresIdNumber;
  // The cursor goes after an inserted placeholder as the new text is committed, before the next
  // key is handled (a frame later, fast typing would land before it).
  const caret = useRef<number | null>(null);
  const insert = (p: Placeholder) => {
    const el = area.current;
    const token = label(p);
    const at = el ? el.selectionStart : body.length;
    const end = el ? el.selectionEnd : body.length;
    caret.current = at + token.length;
    setBody(body.slice(0, at) + token + body.slice(end));
  };
  useLayoutEffect(() => {
    const el = area.current;
    if (caret.current === null || !el) return;
    el.focus();
    el.setSelectionRange(caret.current, caret.current);
    caret.current = null;
  }, [body]);
  // Every field's problem at once, by the API's own schema; shown once left or on save.
  const check = useFormErrors(
    schemaErrors(contractsMethods['contracts.templates.save'].input, { name, body: toStored(body) }),
  );
  const save = async () => {
    if (!check.submit()) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.call('contracts.templates.save', {
        ...(template ? { id: template.id } : {}),
        name: name.trim(),
        body: toStored(body),
        requiresIdNumber: requiresId,
      });
      onSaved(r.id, r.version);
    } catch (e) {
      const mapped = serverFieldErrors(e);
      check.setServer(mapped);
      if (!Object.keys(mapped).length) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="contract-editor" data-testid="template-editor">
      <div className="form-grid" style={{ display: 'grid', gap: 12 }}>
        <div className="field">
          <label htmlFor="tpl-name">{t.name}</label>
          <input
            id="tpl-name"
            className="input"
            value={name}
            // A template's name is who it is: a new version keeps it.
            readOnly={!!template}
            onChange={(e) => {
              setName(e.target.value);
              check.changed('name');
            }}
            onBlur={() => check.blur('name')}
            aria-invalid={check.error('name') ? 'true' : undefined}
            aria-describedby={check.error('name') ? 'tpl-name-error' : undefined}
            data-testid="template-name"
          />
          {check.error('name') && (
            <span className="error" id="tpl-name-error">
              <FieldMessage text={check.error('name')!} />
            </span>
          )}
        </div>
        <div className="field">
          <span id="tpl-insert" className="muted">
            {t.insert}
          </span>
          <div className="chips" role="group" aria-labelledby="tpl-insert">
            {PLACEHOLDER_NAMES.map((p) => (
              <button
                key={p}
                type="button"
                className="btn btn-sm"
                onClick={() => insert(p)}
                data-testid={`insert-${p}`}
              >
                {he.contracts.placeholders[p]}
              </button>
            ))}
          </div>
        </div>
        <div className="field">
          <label htmlFor="tpl-body">{t.body}</label>
          <textarea
            id="tpl-body"
            ref={area}
            className="textarea"
            dir="rtl"
            value={body}
            aria-describedby={check.error('body') ? 'tpl-body-error tpl-body-hint' : 'tpl-body-hint'}
            aria-invalid={check.error('body') ? 'true' : undefined}
            onChange={(e) => {
              setBody(e.target.value);
              check.changed('body');
            }}
            onBlur={() => check.blur('body')}
            data-testid="template-body"
          />
          {check.error('body') && (
            <span className="error" id="tpl-body-error">
              <FieldMessage text={check.error('body')!} />
            </span>
          )}
          <span id="tpl-body-hint" className="hint">
            {t.bodyHint}
          </span>
        </div>
        <label style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <input
            type="checkbox"
            checked={requiresId}
            onChange={(e) => setRequiresId(e.target.checked)}
            data-testid="template-requires-id"
          />
          {t.requiresId}
        </label>
        {preview && preview.unknown.length > 0 && (
          <div className="notice notice-warn" data-testid="template-unknown">
            {t.unknown}{' '}
            {preview.unknown.map((u) => (
              <bdi key={u} dir="ltr" className="num">{`{{${u}}}`}</bdi>
            ))}
          </div>
        )}
        {error && (
          <div className="notice notice-warn" role="alert">
            {error}
          </div>
        )}
        <div className="crm-toolbar">
          <button
            className="btn btn-primary"
            disabled={busy || !changed}
            onClick={() => void save()}
            data-testid="template-save"
          >
            {template ? t.save : t.saveNew}
          </button>
          <span role="status" className="muted" data-testid="template-saved">
            {!changed && savedVersion !== undefined
              ? `${t.saved} ${savedVersion}`
              : !changed && template
                ? t.unchanged
                : ''}
          </span>
        </div>
      </div>
      <div>
        <p className="hint">{t.preview}</p>
        <div className="contract-preview" data-testid="template-preview">
          {preview ? <ContractText body={preview.text} testId="template-preview-text" /> : <Loading />}
        </div>
      </div>
    </div>
  );
}
