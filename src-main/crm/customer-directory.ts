/**
 * The CRM's implementation of the ports other features (telephony, the agent, WhatsApp) use to
 * reach CRM data without its internals (core/ports.ts): find or create a customer by phone, and
 * open a call-back task.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { BUSINESS_ID } from '../business/business-service';
import type { Db } from '../db/client';
import { customers, deals, tasks } from '../db/schema';
import type { Clock } from '../platform/clock';
import { formatPhone } from '../platform/phone';
import type {
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

  findOrCreateByPhone(e164: string, source: CustomerSource): DirectoryCustomer {
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
      const existing = this.db
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
