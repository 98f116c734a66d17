import type { ReactNode } from 'react';
import '../styles/progress.css';

/** A long job's progress (backup, customer export): a filled bar with its words on it. */
export function ProgressBar({
  percent,
  label,
  children,
}: {
  percent: number;
  label?: string;
  children: ReactNode;
}) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuenow={Math.round(percent)}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <div className="progress-bar" style={{ width: `${percent}%` }} />
      <span>{children}</span>
    </div>
  );
}
