/**
 * What contracts need from the rest of the app, as small ports the core hands them (contracts
 * never import another module's internals).
 */
import type { AuditInput, AuditVerification } from '../platform/audit';

export interface ContractParty {
  name: string;
  /** ת.ז. / ח.פ as stored on the customer. */
  vatId: string | null;
  address: string | null;
  /** As an Israeli reads it (050-1234567). */
  phone: string | null;
  email: string | null;
}

export interface ContractParties {
  detailsOf(customerId: number): ContractParty | null;
  dealOf(dealId: number): { customerId: number; title: string; amountAgorot: number } | null;
  /** Ids of customers whose name contains `q` (for searching contracts by customer), at most `limit`. */
  idsNamed(q: string, limit: number): number[];
}

export interface ContractBusiness {
  name: string;
  vatId: string;
  address: string;
  phone: string;
}

export interface ContractAudit {
  append(input: AuditInput): unknown;
  history(
    entityType: string,
    entityId: number,
  ): Array<{
    event: string;
    createdAt: number;
    data: Record<string, unknown>;
    actor: string;
    ip: string | null;
    userAgent: string | null;
  }>;
  verify(scope?: { entityType: string; entityId: number }): AuditVerification;
}
