import { useLayoutEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

const TABBABLE =
  'a[href], button:not(:disabled), input:not(:disabled):not([type=hidden]), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/**
 * Tab and Shift+Tab wrap around inside the dialog. showModal makes the page behind inert, but Tab
 * past the last control would still leave the dialog (to the window itself).
 */
function keepTabInside(e: KeyboardEvent<HTMLDialogElement>) {
  if (e.key !== 'Tab') return;
  const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>(TABBABLE)).filter((el) =>
    el.checkVisibility(),
  );
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return e.preventDefault();
  const at = document.activeElement;
  if (e.shiftKey && (at === first || at === e.currentTarget)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && at === last) {
    e.preventDefault();
    first.focus();
  }
}

/**
 * A dialog over the page, on the platform's modal <dialog> (showModal): the page behind it is inert
 * and Tab stays inside; Esc or a click outside closes it; focus returns where it was on close.
 */
export function Modal({
  title,
  onClose,
  children,
  wide,
  testId,
  className,
  hideTitle,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  testId?: string;
  className?: string;
  /** The title names the dialog for screen readers only (e.g. the search panel: its input says it). */
  hideTitle?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const el = dialog.current;
    const before = document.activeElement;
    if (el && !el.open) el.showModal();
    return () => {
      if (el?.open) el.close();
      if (before instanceof HTMLElement && before.isConnected) before.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      className="modal-backdrop"
      aria-label={title}
      data-testid={testId}
      onCancel={(e) => {
        // Esc: the owner of the dialog decides (it may be busy), the browser does not close it.
        e.preventDefault();
        onClose();
      }}
      // The browser may still close it (a second Esc without a click in between): follow it.
      onClose={(e) => e.currentTarget.isConnected && onClose()}
      onMouseDown={(e) => e.target === e.currentTarget && onClose()}
      onKeyDown={keepTabInside}
    >
      <div className={`modal${wide ? ' modal-wide' : ''}${className ? ` ${className}` : ''}`}>
        {!hideTitle && <h2>{title}</h2>}
        {children}
      </div>
    </dialog>
  );
}
