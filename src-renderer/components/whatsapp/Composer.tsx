import { FileText, LayoutTemplate, MessageSquareText, Paperclip, SendHorizontal, X } from 'lucide-react';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import {
  WA_MEDIA_LIMITS,
  WA_TEXT_MAX,
  waMediaKindOf,
  type WaMessage,
} from '../../../src-main/api/contract/whatsapp';
import { api } from '../../api';
import { he } from '../../i18n/he';
import { plural } from '../../lib/plural';
import { sendErrorText } from './errors';
import { fill, formatBytes } from './format';
import { QuickReplies } from './QuickReplies';
import { TemplatePicker } from './TemplatePicker';

const t = he.whatsapp;

export interface ProviderCaps {
  templates: boolean;
  window24h: boolean;
}

/** What the file input offers: images and documents (what an owner sends); the core checks again. */
const ACCEPT = [...WA_MEDIA_LIMITS.image.mimes, ...WA_MEDIA_LIMITS.document.mimes].join(',');

/** A picked file as the API takes it: name, type and base64 bytes (never a path). */
function readFile(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}

/** Checks a picked file against WhatsApp's limits before anything is sent: a Hebrew reason, or null. */
function fileProblem(file: File): string | null {
  const kind = waMediaKindOf(file.type);
  if (!kind) return t.composer.fileUnsupported;
  const max = WA_MEDIA_LIMITS[kind].maxBytes;
  if (file.size > max) return fill(t.composer.fileTooLarge, { n: Math.round(max / 1024 / 1024) });
  return null;
}

/**
 * Text, an image or document with a caption, an approved template, a quick reply. Outside the
 * 24-hour window (a provider that has one) only the template picker is offered, with the reason.
 */
export function Composer({
  customerId,
  canSendText,
  caps,
  onQueued,
}: {
  customerId: number;
  canSendText: boolean;
  caps: ProviderCaps | null;
  onQueued: (m: WaMessage) => void;
}) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [panel, setPanel] = useState<'templates' | 'quick' | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setText('');
    setFile(null);
    setError('');
    setPanel(null);
  }, [customerId]);
  // The box grows with the text up to a few lines.
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 140)}px`;
  }, [text]);

  const templatesOn = !!caps?.templates;
  const send = async () => {
    const body = text.trim();
    if (busy || (!body && !file)) return;
    if (body.length > WA_TEXT_MAX) return setError(plural(WA_TEXT_MAX, t.composer.tooLong));
    setBusy(true);
    setError('');
    try {
      const r = file
        ? await api.call('whatsapp.sendMedia', {
            customerId,
            file: { name: file.name, mime: file.type, base64: await readFile(file) },
            ...(body ? { caption: body } : {}),
          })
        : await api.call('whatsapp.send', { customerId, text: body });
      onQueued(r.message);
      setText('');
      setFile(null);
      area.current?.focus();
    } catch (e) {
      setError(sendErrorText(e));
    } finally {
      setBusy(false);
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  };
  const pick = (f: File | undefined) => {
    if (!f) return;
    const problem = fileProblem(f);
    setError(problem ?? '');
    setFile(problem ? null : f);
    if (picker.current) picker.current.value = '';
  };

  const templatePanel = panel === 'templates' && (
    <TemplatePicker
      customerId={customerId}
      available={templatesOn}
      onClose={() => setPanel(null)}
      onQueued={(m) => {
        setPanel(null);
        onQueued(m);
      }}
    />
  );

  if (!canSendText)
    return (
      <div className="wa-composer wa-composer-closed" data-testid="wa-window-closed">
        <div className="wa-window-note">
          <strong>{t.thread.windowClosedTitle}</strong>
          <p>{t.thread.windowClosed}</p>
        </div>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => setPanel('templates')}
          data-testid="wa-open-templates"
        >
          <LayoutTemplate size={16} aria-hidden /> {t.thread.openTemplates}
        </button>
        {error && (
          <p className="wa-composer-error" role="alert">
            {error}
          </p>
        )}
        {templatePanel}
      </div>
    );

  return (
    <div className="wa-composer" data-testid="wa-composer">
      {panel === 'quick' && (
        <QuickReplies
          onPick={(s) => {
            setText((x) => (x.trim() ? `${x.trimEnd()} ${s}` : s));
            setPanel(null);
            area.current?.focus();
          }}
          onClose={() => setPanel(null)}
        />
      )}
      {file && (
        <div className="wa-attachment" data-testid="wa-attachment">
          <FileText size={18} aria-hidden />
          <bdi className="wa-file-name">{file.name}</bdi>
          <span className="muted">{formatBytes(file.size)}</span>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            aria-label={t.composer.removeFile}
            title={t.composer.removeFile}
            onClick={() => setFile(null)}
          >
            <X size={16} aria-hidden />
          </button>
        </div>
      )}
      {error && (
        <p className="wa-composer-error" role="alert" data-testid="wa-composer-error">
          {error}
        </p>
      )}
      <div className="wa-composer-row">
        <div className="wa-composer-tools">
          <button
            type="button"
            className="wa-tool"
            aria-label={t.composer.attach}
            title={t.composer.attach}
            onClick={() => picker.current?.click()}
            data-testid="wa-attach"
          >
            <Paperclip size={20} aria-hidden />
          </button>
          <input
            ref={picker}
            type="file"
            accept={ACCEPT}
            hidden
            onChange={(e) => pick(e.target.files?.[0])}
            data-testid="wa-file-input"
          />
          <button
            type="button"
            className={`wa-tool${panel === 'quick' ? ' active' : ''}`}
            aria-label={t.composer.quickReplies}
            title={t.composer.quickReplies}
            aria-expanded={panel === 'quick'}
            onClick={() => setPanel((p) => (p === 'quick' ? null : 'quick'))}
            data-testid="wa-quick-toggle"
          >
            <MessageSquareText size={20} aria-hidden />
          </button>
          {templatesOn && (
            <button
              type="button"
              className="wa-tool"
              aria-label={t.composer.templates}
              title={t.composer.templates}
              onClick={() => setPanel('templates')}
              data-testid="wa-template-toggle"
            >
              <LayoutTemplate size={20} aria-hidden />
            </button>
          )}
        </div>
        <textarea
          ref={area}
          className="wa-input"
          rows={1}
          dir="auto"
          value={text}
          placeholder={file ? t.composer.caption : t.composer.placeholder}
          aria-label={file ? t.composer.caption : t.composer.placeholder}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          data-testid="wa-input"
        />
        <button
          type="button"
          className="wa-send"
          onClick={() => void send()}
          disabled={busy || (!text.trim() && !file)}
          aria-label={file ? t.composer.sendFile : t.composer.send}
          title={file ? t.composer.sendFile : t.composer.send}
          data-testid="wa-send"
        >
          <SendHorizontal size={20} aria-hidden />
        </button>
      </div>
      {templatePanel}
    </div>
  );
}
