import { Link, useLocation } from 'react-router-dom';
import { he } from '../../i18n/he';

const t = he.billing.tabs;
const TABS = [
  ['/invoices', t.documents, 'tab-documents'],
  ['/invoices/payments', t.payments, 'tab-payments'],
  ['/invoices/unpaid', t.unpaid, 'tab-unpaid'],
] as const;

/** Documents · payments · unpaid: the three views of the one billing area. */
export function BillingTabs() {
  const { pathname } = useLocation();
  return (
    <nav className="billing-tabs" aria-label={he.billing.title}>
      {TABS.map(([to, label, testId]) => (
        <Link
          key={to}
          to={to}
          className={pathname === to ? 'active' : undefined}
          aria-current={pathname === to ? 'page' : undefined}
          data-testid={testId}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}
