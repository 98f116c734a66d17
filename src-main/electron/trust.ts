import { isAppOrigin } from './app-protocol';

/** What counts as our own page: the `app://agentlocator` origin, or the dev server in development. */
export interface AppOrigin {
  /** `ELECTRON_RENDERER_URL` in development (never honoured in a packaged app). */
  devServerUrl?: string;
}

/**
 * Is this URL our renderer? IPC answers only such senders, windows navigate only to it, and
 * only it may ever be granted the microphone. That is exactly the `app://agentlocator` origin
 * our protocol handler serves: no `file://` page (a document the user opened, a dropped file),
 * no other host or port of the `app:` scheme, no web page.
 */
export function isAppUrl(url: string | undefined, origin: AppOrigin): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (origin.devServerUrl) {
    try {
      const dev = new URL(origin.devServerUrl);
      if ((dev.protocol === 'http:' || dev.protocol === 'https:') && u.origin === dev.origin) return true;
    } catch {
      /* a malformed dev URL trusts nothing */
    }
  }
  return isAppOrigin(u) && u.port === '';
}
