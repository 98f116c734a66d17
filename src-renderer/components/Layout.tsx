import { PhoneCall } from 'lucide-react';
import { useEffect, useRef, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { transportKind } from '../api';
import { useApp } from '../app-context';
import { he } from '../i18n/he';
import { availability } from '../lib/capabilities';
import { GlobalSearch, ReminderToasts } from './crm/GlobalSearch';
import { StorageBanner } from './StorageBanner';
import { routes } from '../routes';

export function Layout({ children }: { children: ReactNode }) {
  const { business } = useApp();
  const features = business?.features;
  // A capability that is not built keeps its entry, marked "בקרוב"; a built one hides while its flag is off.
  const navRoutes = routes.filter(
    (r) => r.nav && (!r.feature || availability(features, [r.feature]) !== 'off'),
  );
  const content = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  // Every page opens at its top: the scrolling area is shared across routes.
  useEffect(() => {
    content.current?.scrollTo(0, 0);
  }, [pathname]);
  // One highlighted entry: the longest nav path that the current page sits under.
  const activePath = navRoutes
    .map((r) => r.path)
    .filter((p) => pathname === p || (p !== '/' && pathname.startsWith(`${p}/`)))
    .sort((a, b) => b.length - a.length)[0];
  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main-content"
        data-testid="skip-link"
        onClick={(e) => {
          // The hash is the router's: move focus instead of following the link.
          e.preventDefault();
          content.current?.focus();
        }}
      >
        {he.app.skipToContent}
      </a>
      <nav className="nav" aria-label="ניווט ראשי">
        <div className="nav-brand">
          <PhoneCall size={26} />
          <div>
            <strong>{he.app.name}</strong>
            <small>{business?.name || he.app.tagline}</small>
          </div>
        </div>
        {navRoutes.map((r) => {
          const Icon = r.nav!.icon;
          return (
            <Link
              key={r.path}
              to={r.path}
              className={`nav-link${r.path === activePath ? ' active' : ''}`}
              aria-current={r.path === activePath ? 'page' : undefined}
            >
              <Icon size={18} />
              <span>{r.nav!.label}</span>
              {r.feature && availability(features, [r.feature]) === 'soon' && (
                <span className="nav-soon" data-testid={`nav-soon-${r.path.slice(1)}`}>
                  {he.common.soon}
                </span>
              )}
            </Link>
          );
        })}
        <div className="nav-footer">
          {transportKind === 'http' ? he.app.browserMode : he.app.electronMode}
        </div>
      </nav>
      <div className="main">
        <header className="topbar">
          <GlobalSearch />
          <div className="topbar-spacer" />
        </header>
        <StorageBanner />
        <main className="content" id="main-content" tabIndex={-1} ref={content}>
          {children}
        </main>
        <ReminderToasts />
      </div>
    </div>
  );
}
