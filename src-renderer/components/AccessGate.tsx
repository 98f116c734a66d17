import { KeyRound } from 'lucide-react';
import { useSyncExternalStore, type ReactNode } from 'react';
import { access, onAccessChange } from '../api';
import { he } from '../i18n/he';

/**
 * Browser mode without a valid link: one full page that says how to open the app, instead of
 * the app with an error box for every request it makes.
 */
export function AccessGate({ children }: { children: ReactNode }) {
  const state = useSyncExternalStore(onAccessChange, access);
  if (state === 'ok') return children;
  const old = state === 'old_link';
  return (
    <main className="access-page" data-testid="access-page" role="alert">
      <KeyRound className="icon" size={44} />
      <h1>{old ? he.access.oldLinkTitle : he.access.noLinkTitle}</h1>
      <p>{old ? he.access.oldLink : he.access.noLink}</p>
      <p className="access-note">{he.access.calls}</p>
    </main>
  );
}
