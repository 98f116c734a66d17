/**
 * Where the in-office signing window opens: on a display other than the one showing the owner's
 * window when there is one (a second screen facing the customer), else on the owner's display.
 * Pure, so it is tested without Electron.
 */
export interface DisplayInfo {
  id: number;
  bounds: { x: number; y: number; width: number; height: number };
}

/** The display for the signing window: the largest other display, else the owner's own. */
export function chooseSigningDisplay<D extends DisplayInfo>(
  displays: readonly D[],
  ownerDisplayId: number,
): D | null {
  if (displays.length === 0) return null;
  const others = displays.filter((d) => d.id !== ownerDisplayId);
  if (others.length === 0) return displays.find((d) => d.id === ownerDisplayId) ?? displays[0]!;
  return others.reduce((a, b) =>
    b.bounds.width * b.bounds.height > a.bounds.width * a.bounds.height ? b : a,
  );
}

/** The in-office signing route a window may show (`#/sign-in-office/<id>`), or null for any other URL. */
export function signingContractId(url: string): number | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const m = /^#\/sign-in-office\/([1-9]\d{0,9})$/.exec(u.hash);
  return m ? Number(m[1]) : null;
}
