import { lazy, Suspense } from 'react';
import { HashRouter, Route, Routes, useLocation } from 'react-router-dom';
import { AppProvider } from './app-context';
import { AccessGate } from './components/AccessGate';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Layout } from './components/Layout';
import { Loading } from './components/States';
import { RecoveryGate } from './components/RecoveryGate';
import { NotFoundPage } from './pages/NotFoundPage';
import { routes } from './routes';

/** The customer's signing screen: a page of its own, outside the owner's layout. */
const SignInOfficePage = lazy(() =>
  import('./pages/SignInOfficePage').then((m) => ({ default: m.SignInOfficePage })),
);

function Pages() {
  const { pathname } = useLocation();
  return (
    <ErrorBoundary resetKey={pathname}>
      <Suspense fallback={<Loading />}>
        <Routes>
          {routes.map((r) => (
            <Route key={r.path} path={r.path} element={r.element} />
          ))}
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </ErrorBoundary>
  );
}

export function App() {
  return (
    <AccessGate>
      <RecoveryGate>
        <HashRouter>
          <AppProvider>
            <Routes>
              <Route
                path="/sign-in-office/:id"
                element={
                  <ErrorBoundary resetKey="sign-in-office">
                    <Suspense fallback={<Loading />}>
                      <SignInOfficePage />
                    </Suspense>
                  </ErrorBoundary>
                }
              />
              <Route
                path="*"
                element={
                  <Layout>
                    <Pages />
                  </Layout>
                }
              />
            </Routes>
          </AppProvider>
        </HashRouter>
      </RecoveryGate>
    </AccessGate>
  );
}
