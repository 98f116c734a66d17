/**
 * Which web permissions the Electron shell grants: the microphone, to our own page, while a
 * test call is starting or running, and nothing else ever (no camera, screen, geolocation,
 * web notifications — the app notifies natively from the main process —, MIDI, clipboard
 * reading, opening external apps …). Pure: no Electron here, so it is unit-tested.
 */

export interface PermissionQuery {
  /** Electron's permission name (`media`, `geolocation`, `notifications`, `openExternal` …). */
  permission: string;
  /** Whether the asking page is our own renderer (see trust.ts `isAppUrl`). */
  isOwnPage: boolean;
  /** Whether the asking frame is the page's main frame (an iframe never gets the microphone). */
  isMainFrame: boolean;
  /**
   * For `media`: what is asked for. A request lists its types (`['audio']`, `['audio', 'video']`);
   * a check names one (`audio`, `video`, `unknown`). Absent or empty means unknown.
   */
  mediaTypes?: readonly string[];
  /** Whether a test call's audio channel is open (TestCallMicGate.active). */
  testCallActive: boolean;
}

/** true only for: `media` asking for audio and nothing but audio, by our own main frame, during a test call. */
export function decidePermission(q: PermissionQuery): boolean {
  if (q.permission !== 'media') return false;
  if (!q.isOwnPage || !q.isMainFrame || !q.testCallActive) return false;
  const types = q.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'audio');
}

/**
 * Whether a test call is starting or running: the main process acquires it when the renderer
 * opens a test call's audio channel (before the renderer asks for the microphone) and releases
 * it when that channel closes, however it closes.
 */
export class TestCallMicGate {
  private open = 0;

  get active(): boolean {
    return this.open > 0;
  }

  /** A test call's channel opened; the returned release is safe to call more than once. */
  acquire(): () => void {
    this.open += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open -= 1;
    };
  }
}
