/** A small live level meter (dBFS → bar), redrawn every animation frame without React renders. */
import { useEffect, useRef } from 'react';

export function AudioMeter({
  label,
  level,
  testId,
}: {
  label: string;
  level: () => number;
  testId?: string;
}) {
  const bar = useRef<HTMLSpanElement>(null);
  const levelRef = useRef(level);
  levelRef.current = level;
  useEffect(() => {
    let raf = 0;
    const draw = () => {
      const db = levelRef.current();
      const pct = Number.isFinite(db) ? Math.max(0, Math.min(100, ((db + 60) / 60) * 100)) : 0;
      if (bar.current) {
        bar.current.style.inlineSize = `${pct}%`;
        bar.current.parentElement?.setAttribute('data-active', pct > 8 ? 'true' : 'false');
      }
      raf = requestAnimationFrame(draw);
    };
    raf = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(raf);
  }, []);
  return (
    <div className="audio-meter" data-testid={testId}>
      <span className="audio-meter-label">{label}</span>
      <span className="audio-meter-track" data-active="false">
        <span className="audio-meter-bar" ref={bar} />
      </span>
    </div>
  );
}
