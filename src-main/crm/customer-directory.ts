/**
 * The CRM's implementation of the ports other features (telephony, the agent, WhatsApp) use to
 * reach CRM data without its internals (core/ports.ts): find or create a customer by phone, and
 * open a call-back task.
 */
import { and, desc, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { BUSINESS_ID } from '../business/business-service';
import type { Db } from '../db/client';
import { customers, deals, tasks } from '../db/schema';
import type { Clock } from '../platform/clock';
import { formatPhone, toE164 } from '../platform/phone';
import type {
  AppointmentCalendar,
  AppointmentInput,
  CallbackTaskInput,
  CallbackTasks,
  CustomerDirectory,
  CustomerSource,
  DirectoryCustomer,
} from '../core/ports';

export class SqlCustomerDirectory implements CustomerDirectory {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  findOrCreateByPhone(phone: string, source: CustomerSource): DirectoryCustomer {
    const e164 = toE164(phone);
    if (!e164) throw new Error('not a phone number');
    const now = this.clock.now();
    const inserted = this.db
      .insert(customers)
      .values({
        businessId: BUSINESS_ID,
        phone: e164,
        source,
        status: 'lead',
        lastContactAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: [customers.businessId, customers.phone] })
      .returning({ id: customers.id, name: customers.name })
      .get();
    if (inserted) return { id: inserted.id, name: inserted.name, created: true };
    const row = this.db
      .update(customers)
      .set({ lastContactAt: now })
      .where(and(eq(customers.businessId, BUSINESS_ID), eq(customers.phone, e164)))
      .returning({ id: customers.id, name: customers.name })
      .get();
    if (!row) throw new Error('customer vanished between insert and update');
    return { id: row.id, name: row.name, created: false };
  }

  nameOf(customerId: number): string | null {
    return (
      this.db.select({ name: customers.name }).from(customers).where(eq(customers.id, customerId)).get()
        ?.name ?? null
    );
  }

  fillIn(customerId: number, learnt: { name?: string; email?: string; note?: string }): boolean {
    const row = this.db
      .select({
        name: customers.name,
        phone: customers.phone,
        email: customers.email,
        notes: customers.notes,
      })
      .from(customers)
      .where(and(eq(customers.businessId, BUSINESS_ID), eq(customers.id, customerId)))
      .get();
    if (!row) return false;
    const now = this.clock.now();
    const patch: Partial<typeof customers.$inferInsert> = { updatedAt: now, lastContactAt: now };
    if (learnt.name && (!row.name || row.name === row.phone)) patch.name = learnt.name;
    if (learnt.email && !row.email) patch.email = learnt.email;
    if (learnt.note) patch.notes = [row.notes, learnt.note].filter(Boolean).join('\n').slice(-5000);
    this.db.update(customers).set(patch).where(eq(customers.id, customerId)).run();
    return true;
  }

  /** A deal's title and amount (contracts fill their placeholders from it). */
  dealOf(dealId: number): { customerId: number; title: string; amountAgorot: number } | null {
    return (
      this.db
        .select({ customerId: deals.customerId, title: deals.title, amountAgorot: deals.amountAgorot })
        .from(deals)
        .where(and(eq(deals.businessId, BUSINESS_ID), eq(deals.id, dealId)))
        .get() ?? null
    );
  }

  /** Ids of customers whose name contains `q` (LIKE wildcards in `q` are literal), newest contact first. */
  idsNamed(q: string, limit: number): number[] {
    const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    return this.db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.businessId, BUSINESS_ID), sql`${customers.name} like ${like} escape '\\'`))
      .orderBy(desc(customers.lastContactAt))
      .limit(limit)
      .all()
      .map((r) => r.id);
  }

  /** A customer's details as a billing document prints them (the billing module's port). */
  detailsOf(customerId: number): {
    name: string;
    vatId: string | null;
    address: string | null;
    phone: string | null;
    email: string | null;
  } | null {
    const c = this.db
      .select({
        name: customers.name,
        vatId: customers.vatId,
        address: customers.address,
        phone: customers.phone,
        email: customers.email,
      })
      .from(customers)
      .where(and(eq(customers.businessId, BUSINESS_ID), eq(customers.id, customerId)))
      .get();
    if (!c) return null;
    return { ...c, phone: c.phone ? formatPhone(c.phone) : null };
  }
}

export class SqlCallbackTasks implements CallbackTasks {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  createForCall(input: CallbackTaskInput): { id: number; created: boolean } {
    return this.db.$client.transaction(() => {
      const existing =
        input.callId == null
          ? undefined
          : this.db
              .select({ id: tasks.id })
              .from(tasks)
              .where(and(eq(tasks.callId, input.callId), eq(tasks.kind, 'callback')))
              .get();
      if (existing) return { id: existing.id, created: false };
      const now = this.clock.now();
      const row = this.db
        .insert(tasks)
        .values({
          businessId: BUSINESS_ID,
          customerId: input.customerId,
          callId: input.callId,
          kind: 'callback',
          title: input.title,
          description: input.description,
          dueAt: input.dueAt ?? null,
          reminderAt: input.reminderAt ?? null,
          createdBy: input.createdBy,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: tasks.id })
        .get();
      return { id: row.id, created: true };
    })();
  }
}

/** Appointments are tasks of kind 'appointment' with a start and an end. */
export class SqlAppointmentCalendar implements AppointmentCalendar {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  booked(from: number, to: number, exceptCallId: number | null): Array<{ startsAt: number; endsAt: number }> {
    return this.db
      .select({ startsAt: tasks.startsAt, endsAt: tasks.endsAt })
      .from(tasks)
      .where(
        and(
          eq(tasks.businessId, BUSINESS_ID),
          eq(tasks.kind, 'appointment'),
          isNull(tasks.doneAt),
          lt(tasks.startsAt, to),
          gt(tasks.endsAt, from),
          exceptCallId == null ? undefined : or(isNull(tasks.callId), ne(tasks.callId, exceptCallId)),
        ),
      )
      .all()
      .filter((r): r is { startsAt: number; endsAt: number } => r.startsAt != null && r.endsAt != null);
  }

  bookForCall(input: AppointmentInput): { id: number; created: boolean } {
    return this.db.$client.transaction(() => {
      const now = this.clock.now();
      const fields = {
        customerId: input.customerId,
        title: input.title,
        description: input.description,
        dueAt: input.startsAt,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        reminderAt: input.reminderAt,
        updatedAt: now,
      };
      const existing =
        input.callId == null
          ? undefined
          : this.db
              .select({ id: tasks.id })
              .from(tasks)
              .where(and(eq(tasks.callId, input.callId), eq(tasks.kind, 'appointment'), isNull(tasks.doneAt)))
              .get();
      if (existing) {
        this.db.update(tasks).set(fields).where(eq(tasks.id, existing.id)).run();
        return { id: existing.id, created: false };
      }
      const row = this.db
        .insert(tasks)
        .values({
          ...fields,
          businessId: BUSINESS_ID,
          callId: input.callId,
          kind: 'appointment',
          createdBy: 'agent',
          createdAt: now,
        })
        .returning({ id: tasks.id })
        .get();
      return { id: row.id, created: true };
    })();
  }
}
