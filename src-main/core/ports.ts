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
  /**
   * The customer with this phone (any form the CRM accepts: 050-…, +972…; kept as E.164), or a
   * new lead with that source. Touches last_contact_at. Throws on a number that is not one.
   */
  findOrCreateByPhone(phone: string, source: CustomerSource): DirectoryCustomer;
  /** Name of a customer, or null when unknown. */
  nameOf(customerId: number): string | null;
  /**
   * What a conversation learnt about a customer: a name or e-mail only where the card has none,
   * a note appended to the notes. Touches last_contact_at. False when there is no such customer.
   */
  fillIn(customerId: number, learnt: { name?: string; email?: string; note?: string }): boolean;
}

export interface CallbackTaskInput {
  customerId: number | null;
  /** The call it comes from; null for a conversation without one (then nothing is deduplicated). */
  callId: number | null;
  title: string;
  description: string;
  dueAt?: number | null;
  reminderAt?: number | null;
  createdBy: 'agent' | 'system' | 'owner';
}

export interface CallbackTasks {
  /** Creates the call-back task of a call once; a second call for the same call returns the first task. */
  createForCall(input: CallbackTaskInput): { id: number; created: boolean };
}

export interface AppointmentInput {
  callId: number | null;
  customerId: number | null;
  title: string;
  description: string;
  startsAt: number;
  endsAt: number;
  reminderAt: number | null;
}

/** The business's calendar as the agent books it (appointments are CRM tasks). */
export interface AppointmentCalendar {
  /** Open appointments overlapping [from, to), leaving out the given call's own. */
  booked(from: number, to: number, exceptCallId: number | null): Array<{ startsAt: number; endsAt: number }>;
  /**
   * Books the call's appointment: one per call — booking again in the same call moves it to the
   * new time (the caller changed their mind), it never adds a second.
   */
  bookForCall(input: AppointmentInput): { id: number; created: boolean };
}
