import { AlertCircle, Check, CheckCheck, Clock } from 'lucide-react';
import type { WaMessage } from '../../../src-main/api/contract/whatsapp';
import { he } from '../../i18n/he';

/**
 * Delivery ticks as WhatsApp draws them: a clock while queued or sending, ✓ sent, ✓✓ delivered,
 * blue ✓✓ read, a red mark when it failed. The Hebrew word is the accessible name.
 */
export function Ticks({ status, size = 16 }: { status: WaMessage['status']; size?: number }) {
  const label = he.whatsapp.status[status];
  const common = { size, 'aria-hidden': true as const, strokeWidth: 2.2 };
  const icon =
    status === 'queued' || status === 'sending' ? (
      <Clock {...common} size={size - 3} />
    ) : status === 'sent' ? (
      <Check {...common} />
    ) : status === 'delivered' || status === 'read' ? (
      <CheckCheck {...common} />
    ) : status === 'failed' ? (
      <AlertCircle {...common} />
    ) : null;
  if (!icon) return null;
  return (
    <span
      className={`wa-ticks wa-ticks-${status}`}
      role="img"
      aria-label={label}
      title={label}
      data-testid="wa-ticks"
      data-status={status}
    >
      {icon}
    </span>
  );
}
