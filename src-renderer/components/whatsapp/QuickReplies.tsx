import { Pencil, Plus, Trash2 } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { he } from '../../i18n/he';

const t = he.whatsapp.quick;
const KEY = 'agentlocator.whatsapp.quickReplies';

/** The owner's short list of ready answers, kept on this computer. */
export function loadQuickReplies(): string[] {
  try {
    const raw = localStorage.getItem(KEY);
    if (raw === null) return [...t.defaults];
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list)
      ? list.filter((x): x is string => typeof x === 'string').slice(0, 50)
      : [...t.defaults];
  } catch {
    return [...t.defaults];
  }
}
function saveQuickReplies(list: string[]) {
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    /* private mode or full: the list lives for this visit */
  }
}

/** A small panel above the composer: pick one to put it in the message box, or edit the list. */
export function QuickReplies({ onPick, onClose }: { onPick: (text: string) => void; onClose: () => void }) {
  const [list, setList] = useState(loadQuickReplies);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const update = (next: string[]) => {
    setList(next);
    saveQuickReplies(next);
  };
  const add = () => {
    const s = draft.trim();
    if (!s) return;
    update([...list, s.slice(0, 1000)]);
    setDraft('');
  };
  return (
    <div className="wa-quick" ref={box} role="dialog" aria-label={t.title} data-testid="wa-quick">
      <div className="wa-quick-head">
        <strong>{t.title}</strong>
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing((x) => !x)}>
          <Pencil size={14} aria-hidden /> {editing ? t.done : t.edit}
        </button>
      </div>
      <p className="wa-quick-hint">{t.hint}</p>
      {list.length === 0 && <p className="muted">{t.empty}</p>}
      <ul className="wa-quick-list">
        {list.map((s, i) => (
          <li key={`${i}-${s}`}>
            {editing ? (
              <span className="wa-quick-edit">
                <bdi>{s}</bdi>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  aria-label={`${t.remove}: ${s}`}
                  title={t.remove}
                  onClick={() => update(list.filter((_, j) => j !== i))}
                >
                  <Trash2 size={14} aria-hidden />
                </button>
              </span>
            ) : (
              <button
                type="button"
                className="wa-quick-item"
                onClick={() => onPick(s)}
                data-testid="wa-quick-item"
              >
                <bdi>{s}</bdi>
              </button>
            )}
          </li>
        ))}
      </ul>
      {editing && (
        <form
          className="wa-quick-add"
          onSubmit={(e) => {
            e.preventDefault();
            add();
          }}
        >
          <input
            className="input"
            value={draft}
            placeholder={t.newPlaceholder}
            aria-label={t.newPlaceholder}
            onChange={(e) => setDraft(e.target.value)}
            data-testid="wa-quick-new"
          />
          <button type="submit" className="btn btn-sm" disabled={!draft.trim()}>
            <Plus size={14} aria-hidden /> {t.add}
          </button>
        </form>
      )}
    </div>
  );
}
