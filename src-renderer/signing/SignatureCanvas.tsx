import SignaturePad, { type Options, type PointGroup } from 'signature_pad';
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import { signingHe as t } from '../i18n/he';

export interface SignatureHandle {
  isEmpty(): boolean;
  /** signature_pad `toData()` as plain objects: the strokes as drawn (CSS pixels of the pad). */
  strokes(): Array<
    Omit<PointGroup, 'points'> & { points: Array<{ x: number; y: number; time: number; pressure: number }> }
  >;
  /** The drawing as a PNG data URL, at most `maxChars` long when it can be. */
  png(maxChars: number): string;
  focus(): void;
}

const PEN: Options = {
  penColor: '#0b1f44',
  minWidth: 0.9,
  maxWidth: 2.8,
  throttle: 8,
  minDistance: 2,
};

/** Strokes scaled by `k` (the pad grew or shrank): the signature keeps its place and shape. */
const scaled = (data: PointGroup[], k: number): PointGroup[] =>
  k === 1
    ? data
    : data.map((g) => ({ ...g, points: g.points.map((p) => ({ ...p, x: p.x * k, y: p.y * k })) }));

/**
 * The drawing surface: signature_pad on a canvas that works with mouse, touch and pen
 * (pointer events), sized in device pixels so it is crisp on high-DPI screens. signature_pad
 * clears the canvas when it is resized, so a resize keeps the strokes (`toData`), resizes and
 * draws them again (`fromData`), scaled to the new size.
 */
export function SignatureCanvas({
  disabled,
  invalid,
  describedBy,
  onChange,
  ref,
}: {
  disabled: boolean;
  invalid: boolean;
  describedBy?: string;
  /** After every stroke, undo and clear: whether the pad is empty now. */
  onChange: (empty: boolean) => void;
  ref: Ref<SignatureHandle>;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const padRef = useRef<SignaturePad | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const canvas = canvasRef.current!;
    const pad = new SignaturePad(canvas, PEN);
    padRef.current = pad;
    let size = { w: 0, h: 0, ratio: 0 };
    const fit = () => {
      const w = canvas.offsetWidth;
      const h = canvas.offsetHeight;
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      if (!w || !h || (w === size.w && h === size.h && ratio === size.ratio)) return;
      const data = pad.toData();
      const k = size.w && size.h ? Math.min(w / size.w, h / size.h) : 1;
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
      canvas.getContext('2d')!.scale(ratio, ratio);
      pad.fromData(scaled(data, k));
      size = { w, h, ratio };
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(canvas);
    // A zoom or a move to another screen changes the pixel ratio without resizing the element.
    window.addEventListener('resize', fit);
    const end = () => changed.current(pad.isEmpty());
    pad.addEventListener('endStroke', end);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', fit);
      pad.removeEventListener('endStroke', end);
      pad.off();
      padRef.current = null;
    };
  }, []);

  useEffect(() => {
    const pad = padRef.current;
    if (!pad) return;
    if (disabled) pad.off();
    else pad.on();
  }, [disabled]);

  useImperativeHandle(
    ref,
    () => ({
      isEmpty: () => padRef.current?.isEmpty() ?? true,
      strokes: () =>
        (padRef.current?.toData() ?? []).map((g) => ({
          ...g,
          points: g.points.map((p) => ({ x: p.x, y: p.y, time: p.time, pressure: p.pressure })),
        })),
      png(maxChars) {
        const pad = padRef.current!;
        const url = pad.toDataURL('image/png');
        if (url.length <= maxChars || (window.devicePixelRatio || 1) <= 1) return url;
        // A very dense signature on a 3× screen: the same strokes at one pixel per CSS pixel.
        const canvas = canvasRef.current!;
        const small = document.createElement('canvas');
        small.width = canvas.offsetWidth;
        small.height = canvas.offsetHeight;
        const copy = new SignaturePad(small, PEN);
        copy.fromData(pad.toData());
        copy.off();
        return copy.toDataURL('image/png');
      },
      focus: () => canvasRef.current?.focus(),
    }),
    [],
  );

  const undo = () => {
    const pad = padRef.current;
    if (!pad) return;
    const data = pad.toData();
    data.pop();
    pad.fromData(data);
    onChange(pad.isEmpty());
  };
  const clear = () => {
    padRef.current?.clear();
    onChange(true);
  };

  return (
    <div className="sg-pad" data-disabled={disabled || undefined}>
      <canvas
        ref={canvasRef}
        className="sg-pad-canvas"
        role="img"
        aria-label={t.padLabel}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        aria-disabled={disabled || undefined}
        tabIndex={-1}
        data-testid="signature-pad"
      />
      <div className="sg-pad-tools">
        <button type="button" className="sg-btn sg-btn-quiet" onClick={undo} data-testid="signature-undo">
          {t.undo}
        </button>
        <button type="button" className="sg-btn sg-btn-quiet" onClick={clear} data-testid="signature-clear">
          {t.clear}
        </button>
      </div>
    </div>
  );
}
