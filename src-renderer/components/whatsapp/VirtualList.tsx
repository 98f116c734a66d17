import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A list of fixed-height rows that draws only what is on screen (plus a few rows either side), so a
 * hundred thousand conversations scroll as lightly as ten. `onEnd` asks for the next page when the
 * last loaded rows come into view.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  render,
  itemKey,
  onEnd,
  className,
  testId,
  label,
}: {
  items: readonly T[];
  rowHeight: number;
  render: (item: T, index: number) => ReactNode;
  itemKey: (item: T) => string | number;
  onEnd?: () => void;
  className?: string;
  testId?: string;
  label?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);
  const overscan = 6;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const endRef = useRef(onEnd);
  endRef.current = onEnd;
  useEffect(() => {
    if (last >= items.length - overscan && items.length > 0) endRef.current?.();
  }, [last, items.length]);
  return (
    <div
      ref={box}
      className={className}
      style={{ overflowY: 'auto', position: 'relative' }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid={testId}
      role="list"
      aria-label={label}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, i) => (
          <div
            key={itemKey(item)}
            role="listitem"
            style={{ position: 'absolute', insetInline: 0, top: (first + i) * rowHeight, height: rowHeight }}
          >
            {render(item, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
