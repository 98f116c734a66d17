import { useEffect, useState } from 'react';
import { he } from '../../i18n/he';

/** 'YYYY-MM-DD' → 'DD/MM/YYYY' (empty stays empty). */
export const showIsoDate = (iso: string | null | undefined): string =>
  iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '';

/** 'D/M/YYYY' (also with '.' or '-') → 'YYYY-MM-DD' when it is a real calendar date, else null. */
export function parseIsraeliDate(text: string): string | null {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text.trim());
  if (!m) return null;
  const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m[1]) || d.getUTCMonth() + 1 !== Number(m[2]))
    return null;
  return iso;
}

/** Today's calendar date in Israel, 'YYYY-MM-DD'. */
export const israelToday = (): string =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Jerusalem',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(Date.now());

/**
 * A calendar date typed the Israeli way (DD/MM/YYYY), independent of the browser's locale. Reports
 * the ISO date, '' when emptied, or null while what is typed is not a date (the caller shows why).
 */
export function DateInput({
  id,
  label,
  value,
  onChange,
  onBlur,
  error,
  optional,
  className,
  hideLabel,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (iso: string | null) => void;
  onBlur?: () => void;
  error?: string;
  optional?: boolean;
  className?: string;
  /** In a toolbar: the label is read out, the placeholder shows it. */
  hideLabel?: boolean;
}) {
  const [text, setText] = useState(showIsoDate(value));
  useEffect(() => {
    // Follow the value from outside unless what is typed already means it.
    setText((t) => (parseIsraeliDate(t) === value || (t === '' && value === '') ? t : showIsoDate(value)));
  }, [value]);
  return (
    <div className={`field ${className ?? ''}${hideLabel ? ' label-hidden' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input"
        dir="ltr"
        inputMode="numeric"
        placeholder={hideLabel ? label : he.billing.datePlaceholder}
        title={he.billing.datePlaceholder}
        value={text}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => {
          const v = e.target.value;
          setText(v);
          if (v.trim() === '' && optional) return onChange('');
          onChange(parseIsraeliDate(v));
        }}
        onBlur={onBlur}
      />
      {error && (
        <span className="error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
