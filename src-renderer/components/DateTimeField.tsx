import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { DayPicker } from 'react-day-picker';
import { he as heLocale } from 'react-day-picker/locale';
import 'react-day-picker/style.css';
import '../styles/forms.css';
import { he } from '../i18n/he';
import { FieldNote } from './form';
import {
  israelToday,
  parseDate,
  parseDateTime,
  showDate,
  showTime,
  splitDateTime,
  stepTime,
  type DateTimeValue,
} from '../lib/datetime';

const t = he.forms.dateTime;
/** Until it is placed: laid out (so it can be measured and focused) but not seen. */
const HIDDEN: CSSProperties = { top: 0, left: 0, opacity: 0 };

export type { DateTimeValue };

const two = (n: number) => String(n).padStart(2, '0');

/**
 * The one calendar: react-day-picker with the Hebrew locale, right to left, the week from Sunday,
 * keyboard-driven (arrows, PageUp/PageDown, Home/End, Enter; Esc closes). It works on calendar
 * dates only ('DD/MM/YYYY' in and out), so neither the browser's locale nor its time zone matter.
 */
function CalendarButton({
  id,
  dateText,
  onPick,
  onClosed,
}: {
  id: string;
  dateText: string;
  onPick: (text: string) => void;
  onClosed: () => void;
}) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const typed = parseDate(splitDateTime(dateText)?.date ?? dateText);
  const today = israelToday();
  const selected = typed ? new Date(typed.year, typed.month - 1, typed.day) : undefined;
  const todayDate = new Date(
    Number(today.slice(0, 4)),
    Number(today.slice(5, 7)) - 1,
    Number(today.slice(8)),
  );
  const close = () => {
    setOpen(false);
    button.current?.focus();
    onClosed();
  };
  const pop = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<CSSProperties>(HIDDEN);
  // Fixed to the window, so a dialog's scrolling box does not cut it off: below the button, or
  // above it when the window has no room below; its right edge on the button's (right to left).
  useLayoutEffect(() => {
    if (!open) return;
    const placeIt = () => {
      const b = button.current?.getBoundingClientRect();
      const p = pop.current?.getBoundingClientRect();
      if (!b || !p) return;
      const gap = 4;
      const below = b.bottom + gap + p.height <= window.innerHeight - 8;
      const top = below ? b.bottom + gap : Math.max(8, b.top - gap - p.height);
      const left = Math.min(Math.max(8, b.right - p.width), window.innerWidth - p.width - 8);
      setPlace({ position: 'fixed', top, left });
    };
    placeIt();
    window.addEventListener('resize', placeIt);
    document.addEventListener('scroll', placeIt, true);
    return () => {
      window.removeEventListener('resize', placeIt);
      document.removeEventListener('scroll', placeIt, true);
      setPlace(HIDDEN);
    };
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);
  return (
    <div className="dt-calendar" ref={box}>
      <button
        ref={button}
        type="button"
        className="btn btn-ghost dt-calendar-button"
        aria-label={t.openCalendar}
        title={t.openCalendar}
        aria-expanded={open}
        aria-controls={`${id}-calendar`}
        data-testid={`${id}-calendar-button`}
        onClick={() => setOpen((o) => !o)}
      >
        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
          <path
            fill="currentColor"
            d="M7 2v2H5a2 2 0 0 0-2 2v13a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2h-2V2h-2v2H9V2H7Zm12 7v10H5V9h14Z"
          />
        </svg>
      </button>
      {open && (
        <div
          ref={pop}
          style={place}
          className="dt-popover"
          id={`${id}-calendar`}
          role="dialog"
          aria-label={t.calendar}
          data-testid={`${id}-calendar`}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              // Only the calendar closes, not the dialog around it.
              e.preventDefault();
              e.stopPropagation();
              close();
            }
          }}
        >
          <DayPicker
            mode="single"
            locale={heLocale}
            dir="rtl"
            weekStartsOn={0}
            autoFocus
            captionLayout="dropdown"
            startMonth={new Date(todayDate.getFullYear() - 5, 0)}
            endMonth={new Date(todayDate.getFullYear() + 5, 11)}
            today={todayDate}
            selected={selected}
            defaultMonth={selected ?? todayDate}
            onSelect={(d) => {
              if (d) onPick(`${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()}`);
              close();
            }}
          />
        </div>
      )}
    </div>
  );
}

/**
 * The one date-time picker (tasks, appointments, deals, billing's dates): a typed DD/MM/YYYY date
 * with the calendar beside it and, unless `dateOnly`, a 24-hour HH:mm time (ArrowUp/ArrowDown move
 * it by 15 minutes). Israel's clock (Asia/Jerusalem), whatever the computer's locale.
 */
export function DateTimeField({
  id,
  label,
  value,
  onChange,
  onBlur,
  error,
  defaultTime = '09:00',
  hint,
  testId,
}: {
  id: string;
  label: string;
  value: DateTimeValue;
  onChange: (v: DateTimeValue) => void;
  onBlur?: () => void;
  error?: string;
  /** The time a day picked without a time gets. */
  defaultTime?: string;
  hint?: string;
  testId?: string;
}) {
  const fromValue = (v: DateTimeValue) =>
    typeof v === 'number'
      ? { date: showDate(v), time: showTime(v) }
      : v === null
        ? { date: '', time: '' }
        : null;
  const [text, setText] = useState(() => fromValue(value) ?? { date: '', time: '' });
  useEffect(() => {
    // Follow the value from outside unless what is typed already means it.
    const next = fromValue(value);
    if (!next) return;
    setText((cur) => {
      const r = parseDateTime(cur.date, cur.time, defaultTime);
      const same = 'ms' in r && r.ms === (typeof value === 'number' ? value : null);
      return same ? cur : next;
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typeof value === 'object' && value !== null ? 'invalid' : value]);
  const update = (next: { date: string; time: string }) => {
    setText(next);
    const r = parseDateTime(next.date, next.time, defaultTime);
    onChange('ms' in r ? r.ms : { problem: r.problem });
  };
  const groupLabel = `${id}-label`;
  const described = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="field dt-field" role="group" aria-labelledby={groupLabel} data-testid={testId}>
      <label id={groupLabel} htmlFor={id}>
        {label}
      </label>
      <div className="dt-row">
        <input
          id={id}
          className="input dt-date"
          dir="ltr"
          inputMode="numeric"
          autoComplete="off"
          placeholder={t.datePlaceholder}
          title={t.datePlaceholder}
          value={text.date}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={described}
          onChange={(e) => update({ ...text, date: e.target.value })}
          onBlur={() => {
            // '03/12/2026 14:30' typed in one go: the time moves to its own field.
            const both = splitDateTime(text.date);
            if (both) setText(both);
            onBlur?.();
          }}
        />
        <CalendarButton
          id={id}
          dateText={text.date}
          onPick={(date) =>
            update({ date, time: splitDateTime(text.date)?.time ?? (text.time || defaultTime) })
          }
          onClosed={() => onBlur?.()}
        />
        <input
          id={`${id}-time`}
          className="input dt-time"
          dir="ltr"
          inputMode="numeric"
          autoComplete="off"
          aria-label={`${label} — ${t.time}`}
          placeholder={t.timePlaceholder}
          title={t.timeHint}
          value={text.time}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={described}
          onChange={(e) => update({ ...text, time: e.target.value })}
          onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
            if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
            e.preventDefault();
            update({
              date: text.date,
              time: stepTime(text.time || defaultTime, e.key === 'ArrowUp' ? 15 : -15),
            });
          }}
          onBlur={() => {
            // 930 or 9:30 reads as 09:30 once the owner moves on.
            const r = parseDateTime(text.date, text.time, defaultTime);
            if ('ms' in r && r.ms !== null && text.time) setText({ ...text, time: showTime(r.ms) });
            onBlur?.();
          }}
        />
      </div>
      <FieldNote id={id} error={error} hint={hint} />
    </div>
  );
}

/**
 * A calendar date alone (billing's issue and due dates, filters), typed DD/MM/YYYY or picked on the
 * same calendar. Reports the ISO date, '' when emptied (if optional), or null while what is typed is
 * not a date.
 */
export function DateField({
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
  const show = (iso: string) => (iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '');
  const toIso = (text: string) => {
    const d = parseDate(text);
    return d ? `${d.year}-${two(d.month)}-${two(d.day)}` : null;
  };
  const [text, setText] = useState(show(value));
  useEffect(() => {
    setText((cur) => (toIso(cur) === value || (cur === '' && value === '') ? cur : show(value)));
  }, [value]);
  const update = (v: string) => {
    setText(v);
    if (v.trim() === '' && optional) return onChange('');
    onChange(toIso(v));
  };
  return (
    <div className={`field dt-field ${className ?? ''}${hideLabel ? ' label-hidden' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="dt-row">
        <input
          id={id}
          className="input dt-date"
          dir="ltr"
          inputMode="numeric"
          autoComplete="off"
          placeholder={hideLabel ? label : t.datePlaceholder}
          title={t.datePlaceholder}
          value={text}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => update(e.target.value)}
          onBlur={onBlur}
        />
        <CalendarButton id={id} dateText={text} onPick={update} onClosed={() => onBlur?.()} />
      </div>
      <FieldNote id={id} error={error} />
    </div>
  );
}
