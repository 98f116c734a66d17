import { pathToFileURL } from 'node:url';

/** What counts as our own page: the built renderer's index.html, or the dev server in development. */
export interface AppOrigin {
  rendererFile: string;
  devServerUrl?: string;
}

/**
 * Is this URL our renderer? IPC answers only such senders, and windows navigate only to it.
 * Any other file:// page (a document the user opened, a dropped file) is not trusted.
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
      if (u.origin === new URL(origin.devServerUrl).origin) return true;
    } catch {
      /* a malformed dev URL trusts nothing */
    }
  }
  return u.protocol === 'file:' && u.pathname === pathToFileURL(origin.rendererFile).pathname;
}
