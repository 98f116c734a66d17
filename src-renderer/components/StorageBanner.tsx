import { HardDrive } from 'lucide-react';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useEvent } from '../api/hooks';
import { he } from '../i18n/he';

/**
 * A calm, clear line above every page while the disk refuses writes (the core's `storage`
 * status): what happened and what to do. It goes away by itself once a write succeeds again.
 */
export function StorageBanner() {
  const [full, setFull] = useState(false);
  useEffect(() => {
    let live = true;
    api
      .call('system.info')
      .then((info) => live && setFull(info.storage?.full ?? false))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  useEvent('system.storage', (s) => setFull(s.full));
  if (!full) return null;
  return (
    <div className="storage-banner" role="alert">
      <HardDrive size={18} aria-hidden />
      <strong>{he.storage.bannerTitle}</strong>
      <span>{he.storage.bannerBody}</span>
    </div>
  );
}
