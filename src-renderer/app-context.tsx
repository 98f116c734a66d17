import { createContext, useContext, type ReactNode } from 'react';
import type { Business } from '../src-main/api/contract/business';
import { api } from './api';
import { useEvent, useQuery } from './api/hooks';

interface AppContextValue {
  business: Business | undefined;
  reloadBusiness: () => void;
}

const AppContext = createContext<AppContextValue>({ business: undefined, reloadBusiness: () => undefined });

/** The business (profile, knowledge, feature flags) for every page, kept live by `business.updated`. */
export function AppProvider({ children }: { children: ReactNode }) {
  const q = useQuery(() => api.call('business.get'), []);
  useEvent('business.updated', (b) => q.setData(b));
  return (
    <AppContext.Provider value={{ business: q.data, reloadBusiness: q.reload }}>
      {children}
    </AppContext.Provider>
  );
}

export const useApp = () => useContext(AppContext);
