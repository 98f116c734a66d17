/**
 * Every page of the app: its path, its place in the side navigation and the feature flag that
 * hides it. Feature areas replace their placeholder element with their page here.
 */
import {
  BarChart3,
  CalendarCheck,
  FileSignature,
  Handshake,
  LayoutDashboard,
  MessageCircle,
  Phone,
  PhoneCall,
  Receipt,
  Settings,
  Users,
  type LucideIcon,
} from 'lucide-react';
import { lazy, type ComponentType, type ReactNode } from 'react';
import type { FeatureFlag } from '../src-main/api/contract/business';
import { he } from './i18n/he';
import { DashboardPage } from './pages/DashboardPage';
import { SettingsPage } from './pages/SettingsPage';

/** Pages other than the first screen load on first visit (the charts library alone is large). */
const page = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })));
const CallDetailPage = page(() => import('./pages/CallDetailPage'), 'CallDetailPage');
const CallsPage = page(() => import('./pages/CallsPage'), 'CallsPage');
const LiveCallsPage = page(() => import('./pages/LiveCallsPage'), 'LiveCallsPage');
const CustomerPage = page(() => import('./pages/CustomerPage'), 'CustomerPage');
const CustomersPage = page(() => import('./pages/CustomersPage'), 'CustomersPage');
const DealsPage = page(() => import('./pages/DealsPage'), 'DealsPage');
const ReportsPage = page(() => import('./pages/ReportsPage'), 'ReportsPage');
const TasksPage = page(() => import('./pages/TasksPage'), 'TasksPage');
const OnboardingPage = page(() => import('./pages/OnboardingPage'), 'OnboardingPage');
const DocumentsPage = page(() => import('./pages/DocumentsPage'), 'DocumentsPage');
const DocumentPage = page(() => import('./pages/DocumentPage'), 'DocumentPage');
const DocumentNewPage = page(() => import('./pages/DocumentPage'), 'DocumentNewPage');
const PaymentsPage = page(() => import('./pages/PaymentsPage'), 'PaymentsPage');
const UnpaidPage = page(() => import('./pages/PaymentsPage'), 'UnpaidPage');
const WhatsAppPage = page(() => import('./pages/WhatsAppPage'), 'WhatsAppPage');
const ContractsPage = page(() => import('./pages/ContractsPage'), 'ContractsPage');
const ContractNewPage = page(() => import('./pages/ContractNewPage'), 'ContractNewPage');
const ContractTemplatesPage = page(() => import('./pages/ContractTemplatesPage'), 'ContractTemplatesPage');
const ContractPage = page(() => import('./pages/ContractPage'), 'ContractPage');

export interface AppRoute {
  path: string;
  element: ReactNode;
  nav?: { label: string; icon: LucideIcon };
  /** Hidden from the navigation while this flag is off. */
  feature?: FeatureFlag;
}

export const routes: AppRoute[] = [
  { path: '/', element: <DashboardPage />, nav: { label: he.nav.dashboard, icon: LayoutDashboard } },
  {
    path: '/customers',
    element: <CustomersPage />,
    nav: { label: he.nav.customers, icon: Users },
    feature: 'crm_enabled',
  },
  { path: '/customers/:id', element: <CustomerPage />, feature: 'crm_enabled' },
  {
    path: '/deals',
    element: <DealsPage />,
    nav: { label: he.nav.deals, icon: Handshake },
    feature: 'crm_enabled',
  },
  { path: '/calls', element: <CallsPage />, nav: { label: he.nav.calls, icon: Phone } },
  { path: '/calls/live', element: <LiveCallsPage />, nav: { label: he.live.nav, icon: PhoneCall } },
  { path: '/calls/:id', element: <CallDetailPage /> },
  {
    path: '/whatsapp',
    element: <WhatsAppPage />,
    nav: { label: he.nav.whatsapp, icon: MessageCircle },
    feature: 'whatsapp_enabled',
  },
  { path: '/whatsapp/:customerId', element: <WhatsAppPage />, feature: 'whatsapp_enabled' },
  {
    path: '/tasks',
    element: <TasksPage />,
    nav: { label: he.nav.tasks, icon: CalendarCheck },
    feature: 'crm_enabled',
  },
  {
    path: '/invoices',
    element: <DocumentsPage />,
    nav: { label: he.nav.invoices, icon: Receipt },
    feature: 'invoices_enabled',
  },
  { path: '/invoices/new', element: <DocumentNewPage />, feature: 'invoices_enabled' },
  { path: '/invoices/payments', element: <PaymentsPage />, feature: 'invoices_enabled' },
  { path: '/invoices/unpaid', element: <UnpaidPage />, feature: 'invoices_enabled' },
  { path: '/invoices/:id', element: <DocumentPage />, feature: 'invoices_enabled' },
  {
    path: '/contracts',
    element: <ContractsPage />,
    nav: { label: he.nav.contracts, icon: FileSignature },
    feature: 'contracts_enabled',
  },
  { path: '/contracts/new', element: <ContractNewPage />, feature: 'contracts_enabled' },
  { path: '/contracts/templates', element: <ContractTemplatesPage />, feature: 'contracts_enabled' },
  { path: '/contracts/:id', element: <ContractPage />, feature: 'contracts_enabled' },
  {
    path: '/reports',
    element: <ReportsPage />,
    nav: { label: he.nav.reports, icon: BarChart3 },
    feature: 'crm_enabled',
  },
  { path: '/settings', element: <SettingsPage />, nav: { label: he.nav.settings, icon: Settings } },
  { path: '/setup', element: <OnboardingPage /> },
  { path: '/setup/:step', element: <OnboardingPage /> },
];
