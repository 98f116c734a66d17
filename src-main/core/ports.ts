/**
 * The ports the core hands to feature modules so they reach each other's data without its
 * internals (docs/ARCHITECTURE.md, "Layers"). Implementations live with the feature that owns
 * the tables (the CRM's in crm/customer-directory.ts); the core wires them in createCore().
 */

export type CustomerSource = 'phone' | 'whatsapp' | 'manual' | 'import' | 'web';

export interface DirectoryCustomer {
  id: number;
  name: string;
  /** True when this lookup created the customer (a new lead). */
  created: boolean;
}

export interface CustomerDirectory {
  /** The customer with this E.164 phone, or a new lead with that source. Touches last_contact_at. */
  findOrCreateByPhone(e164: string, source: CustomerSource): DirectoryCustomer;
  /** Name of a customer, or null when unknown. */
  nameOf(customerId: number): string | null;
}

export interface CallbackTaskInput {
  customerId: number | null;
  callId: number;
  title: string;
  description: string;
  dueAt?: number | null;
  createdBy: 'agent' | 'system' | 'owner';
}

export interface CallbackTasks {
  /** Creates the call-back task of a call once; a second call for the same call returns the first task. */
  createForCall(input: CallbackTaskInput): { id: number; created: boolean };
}
