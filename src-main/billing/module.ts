/**
 * The billing feature module (SPEC §4): documents, numbering, manual payments and their API, and
 * the timeline sources for documents and payments. Reaches the CRM only through the
 * `BillingCustomers` port and the audit log through `BillingAudit`.
 */
import type { FeatureModule } from '../core/module';
import type { Db } from '../db/client';
import type { Business } from '../api/contract/business';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { SettingsStore } from '../platform/settings';
import { sqlTimelineSource } from '../platform/timeline';
import { BillingDocuments, type BillingDocumentsDeps } from './documents';
import { BillingPayments } from './payments';
import type { BillingAudit, BillingCustomers, BillingFiles } from './ports';
import { BillingSettingsService } from './settings';

export interface BillingDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  business: { get(): Business };
  settings: SettingsStore;
  customers: BillingCustomers;
  dataDir: string;
  fontsDir?: string;
  audit?: BillingAudit;
  files?: () => BillingFiles | undefined;
  render?: BillingDocumentsDeps['render'];
}

export function createBilling(deps: BillingDeps) {
  const sqlite = deps.db.$client;
  const settings = new BillingSettingsService(sqlite, deps.settings, deps.business);
  const documents = new BillingDocuments({ ...deps, sqlite, settings });
  const payments = new BillingPayments(sqlite, deps.clock, documents);
  return { sqlite, settings, documents, payments };
}
export type Billing = ReturnType<typeof createBilling>;

export function billingModule(billing: Billing): FeatureModule {
  const { sqlite, documents, payments, settings } = billing;
  return {
    name: 'billing',
    handlers: {
      'billing.documents.list': (q) => documents.list(q),
      'billing.documents.get': ({ id }) => documents.get(id),
      'billing.documents.createDraft': (input) => documents.createDraft(input),
      'billing.documents.updateDraft': (input) => documents.updateDraft(input),
      'billing.documents.deleteDraft': ({ id }) => documents.deleteDraft(id),
      'billing.documents.issue': ({ id, allocationNumber }) =>
        documents.issue(id, allocationNumber ? { allocationNumber } : {}),
      'billing.documents.cancel': ({ id, reason }) => documents.cancel(id, reason),
      'billing.documents.convertProposal': ({ id, type }) => documents.convertProposal(id, type),
      'billing.documents.preview': ({ id }) => documents.preview(id),
      'billing.documents.file': ({ id, copy }) => documents.file(id, copy),
      'billing.documents.totals': (input) => documents.totals(input),
      'billing.settings.get': () => settings.view(),
      'billing.settings.set': (input) => settings.set(input),
      'billing.payments.list': (q) => payments.list(q),
      'billing.payments.record': (input) => payments.record(input),
      'billing.payments.unpaid': (q) => payments.unpaid(q),
    },
    timeline: [
      sqlTimelineSource(sqlite, {
        kind: 'document',
        rank: 2,
        capability: 'invoices',
        table: 'documents',
        time: 'created_at',
        select:
          "id, created_at as at, null as direction, status, coalesce(json_extract(customer_snapshot, '$.name'), '') as text, type as subtype, total_agorot as amount, case when status = 'draft' then null else number end as number, null as duration, null as due",
      }),
      sqlTimelineSource(sqlite, {
        kind: 'payment',
        rank: 1,
        capability: 'payments',
        table: 'payments',
        time: 'created_at',
        select:
          "id, created_at as at, 'in' as direction, status, coalesce(notes, '') as text, case when method = 'credit_card' then 'card' else method end as subtype, amount_agorot as amount, null as number, null as duration, null as due",
      }),
    ],
  };
}
