import type { WaConnection } from '../../../src-main/api/contract/whatsapp';
import { api } from '../../api';
import { useEvent, useQuery } from '../../api/hooks';

/** The active provider's connection: loaded once, then kept live by `whatsapp.connection`. */
export function useWaConnection() {
  const q = useQuery(() => api.call('whatsapp.status'), []);
  useEvent('whatsapp.connection', (c: WaConnection) => q.data && q.setData({ ...q.data, connection: c }));
  return q;
}

/** Which provider is active and what it can do (templates, the 24-hour window, QR login). */
export function useWaProvider() {
  return useQuery(() => api.call('whatsapp.provider.get'), []);
}

export const CONNECTION_BADGE: Record<WaConnection['state'], string> = {
  not_configured: 'badge',
  connecting: 'badge badge-info',
  qr: 'badge badge-warn',
  open: 'badge badge-ok',
  reconnecting: 'badge badge-warn',
  replaced: 'badge badge-fail',
  logged_out: 'badge badge-fail',
  stopped: 'badge',
  error: 'badge badge-fail',
};
