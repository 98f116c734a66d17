import { HashRouter, Route, Routes } from 'react-router-dom';
import { AppProvider } from './app-context';
import { Layout } from './components/Layout';
import { NotFoundPage } from './pages/NotFoundPage';
import { routes } from './routes';

export function App() {
  return (
    <HashRouter>
      <AppProvider>
        <Layout>
          <Routes>
            {routes.map((r) => (
              <Route key={r.path} path={r.path} element={r.element} />
            ))}
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Layout>
      </AppProvider>
    </HashRouter>
  );
}
