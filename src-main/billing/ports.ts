/**
 * What billing needs from the rest of the app, as small ports the core hands it (billing never
 * imports another module's internals).
 */
import type { AuditInput } from '../platform/audit';

/** A CRM customer's details as a document prints them. */
export interface BillingCustomerDetails {
  name: string;
  /** ת.ז. / ח.פ / עוסק number as stored on the customer. */
  vatId: string | null;
  address: string | null;
  /** As an Israeli reads it (050-1234567). */
  phone: string | null;
  email: string | null;
}

export interface BillingCustomers {
  /** The customer's current details, or null when there is no such customer. */
  detailsOf(customerId: number): BillingCustomerDetails | null;
}

/** The hash-chained audit log (platform/audit.ts). */
export interface BillingAudit {
  append(input: AuditInput): unknown;
}

/** Hands the renderer a file by URL (platform/files.ts FileAccess: local route or app:// protocol). */
export interface BillingFiles {
  /** An opaque id for a file inside `<data>/files/documents/`; `path` is `/files/<id>`. */
  issue(folder: 'documents', relPath: string): { id: string; path: string };
}

/** What online payments (billing/providers) need from billing: declared by them, implemented by `payments.ledger()`. */
export type { PaymentLedger } from './providers/ledger';
