/**
 * The agent's tools: what the model may do during a conversation. Arguments are validated with
 * zod; results go back to the model as short JSON. Telephony effects (transfer, end call) are
 * returned as an `effect` for the session to carry out — the toolbox knows no Twilio. Data is
 * reached only through the ports the core hands it (the CRM's customer directory, call-back tasks
 * and calendar), each idempotent per call, and time comes from the injected clock.
 */
import { z } from 'zod';
import type { BusinessService } from '../business/business-service';
import type { AppointmentCalendar, CallbackTasks, CustomerDirectory } from '../core/ports';
import type { Clock } from '../platform/clock';
import { toE164 } from '../platform/phone';
import { findFreeSlot, parseWorkingHours } from './calendar';
import type { Channel } from './prompt';
import type { ToolCall, ToolSpec } from './ports';
import { fromLocal, localParts, sayLocal } from './time';

export interface ToolContext {
  channel: Channel;
  callId: number | null;
  /** The caller's number (E.164) when known. */
  phone: string | null;
  customerId: number | null;
  /** Told when a tool created or matched the customer. */
  onCustomer?(customerId: number): void;
}

export type ToolEffect = { kind: 'end_call'; reason: string } | { kind: 'transfer'; reason: string };

export interface ToolOutcome {
  result: string;
  effect?: ToolEffect;
  /** For the call's lead fields. */
  fields?: Record<string, string>;
  ok: boolean;
}

const callbackArgs = z.object({
  reason: z.string().trim().min(1).max(500),
  preferred_time: z.string().trim().max(100).optional(),
  name: z.string().trim().max(120).optional(),
});
const customerArgs = z.object({
  name: z.string().trim().max(120).optional(),
  reason: z.string().trim().max(500).optional(),
  email: z.string().trim().max(200).optional(),
});
const bookArgs = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  time: z
    .string()
    .regex(/^\d{1,2}:\d{2}$/)
    .optional(),
  duration_minutes: z.number().int().min(10).max(240).optional(),
  reason: z.string().trim().max(300).optional(),
  name: z.string().trim().max(120).optional(),
});
const transferArgs = z.object({ reason: z.string().trim().max(300).optional() });
const endArgs = z.object({ reason: z.string().trim().max(300).optional() });

const schemas = {
  create_callback_task: callbackArgs,
  update_customer: customerArgs,
  book_appointment: bookArgs,
  transfer_to_owner: transferArgs,
  end_call: endArgs,
} as const;
export type ToolName = keyof typeof schemas;

const DESCRIPTIONS: Record<ToolName, string> = {
  create_callback_task: 'יצירת משימה לבעל העסק לחזור ללקוח (כשאין תשובה, או שהלקוח מבקש שיחזרו אליו).',
  update_customer: 'שמירת שם הלקוח ו/או סיבת הפנייה בכרטיס הלקוח.',
  book_appointment:
    'קביעת תור ביומן בזמן הפנוי הראשון החל מהתאריך/שעה המבוקשים (YYYY-MM-DD, HH:MM, שעון ישראל). מחזיר את המועד שנקבע.',
  transfer_to_owner: 'העברת השיחה לטלפון של בעל העסק (רק בטלפון).',
  end_call: 'סיום השיחה אחרי שהלקוח נפרד.',
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const s = z.toJSONSchema(schema) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

export class AgentToolbox {
  constructor(
    private readonly deps: {
      clock: Clock;
      business: BusinessService;
      customers: CustomerDirectory;
      callbacks: CallbackTasks;
      calendar: AppointmentCalendar;
    },
  ) {}

  private readonly specCache = new Map<Channel, ToolSpec[]>();

  specs(channel: Channel): ToolSpec[] {
    const hit = this.specCache.get(channel);
    if (hit) return hit;
    const specs = (Object.keys(schemas) as ToolName[])
      .filter((n) => channel === 'phone' || (n !== 'transfer_to_owner' && n !== 'end_call'))
      .map((name) => ({ name, description: DESCRIPTIONS[name], parameters: jsonSchema(schemas[name]) }));
    this.specCache.set(channel, specs);
    return specs;
  }

  async execute(call: ToolCall, ctx: ToolContext): Promise<ToolOutcome> {
    if (!(call.name in schemas))
      return { ok: false, result: JSON.stringify({ error: `unknown tool ${call.name}` }) };
    let raw: unknown;
    try {
      raw = call.arguments.trim() ? JSON.parse(call.arguments) : {};
    } catch {
      return { ok: false, result: JSON.stringify({ error: 'arguments are not valid JSON' }) };
    }
    const name = call.name as ToolName;
    const parsed = schemas[name].safeParse(raw);
    if (!parsed.success)
      return {
        ok: false,
        result: JSON.stringify({
          error: 'invalid arguments',
          issues: parsed.error.issues.map((i) => i.message),
        }),
      };
    switch (name) {
      case 'create_callback_task':
        return this.callback(parsed.data as z.infer<typeof callbackArgs>, ctx);
      case 'update_customer':
        return this.updateCustomer(parsed.data as z.infer<typeof customerArgs>, ctx);
      case 'book_appointment':
        return this.book(parsed.data as z.infer<typeof bookArgs>, ctx);
      case 'transfer_to_owner': {
        const owner = toE164(this.deps.business.get().ownerPhone);
        if (ctx.channel !== 'phone' || !owner) {
          return { ok: false, result: JSON.stringify({ error: 'העברה לא זמינה כרגע; הצע משימת חזרה' }) };
        }
        const reason = (parsed.data as z.infer<typeof transferArgs>).reason ?? 'caller asked';
        return {
          ok: true,
          result: JSON.stringify({ ok: true, transferring: true }),
          effect: { kind: 'transfer', reason },
        };
      }
      case 'end_call': {
        const reason = (parsed.data as z.infer<typeof endArgs>).reason ?? 'goodbye';
        return { ok: true, result: JSON.stringify({ ok: true }), effect: { kind: 'end_call', reason } };
      }
    }
  }

  /** Finds or creates the caller as a lead through the CRM's directory (phone calls know the number). */
  private ensureCustomer(ctx: ToolContext, name?: string): number | null {
    if (ctx.customerId != null) return ctx.customerId;
    const phone = toE164(ctx.phone);
    if (!phone) return null;
    const c = this.deps.customers.findOrCreateByPhone(phone, ctx.channel === 'phone' ? 'phone' : 'whatsapp');
    if (name && c.created) this.deps.customers.fillIn(c.id, { name });
    ctx.customerId = c.id;
    ctx.onCustomer?.(c.id);
    return c.id;
  }

  private callback(a: z.infer<typeof callbackArgs>, ctx: ToolContext): ToolOutcome {
    const customerId = this.ensureCustomer(ctx, a.name);
    const due = this.deps.clock.now() + 2 * 3_600_000;
    const task = this.deps.callbacks.createForCall({
      customerId,
      callId: ctx.callId,
      title: `לחזור ללקוח${a.name ? `: ${a.name}` : ''}`,
      description: [
        a.reason,
        a.preferred_time ? `זמן מועדף: ${a.preferred_time}` : '',
        ctx.phone ? `טלפון: ${ctx.phone}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      dueAt: due,
      reminderAt: due,
      createdBy: 'agent',
    });
    return {
      ok: true,
      result: JSON.stringify({ ok: true, task_id: task.id }),
      fields: { callback_reason: a.reason },
    };
  }

  private updateCustomer(a: z.infer<typeof customerArgs>, ctx: ToolContext): ToolOutcome {
    const id = this.ensureCustomer(ctx, a.name);
    if (id == null)
      return { ok: false, result: JSON.stringify({ error: 'no customer for this conversation' }) };
    const found = this.deps.customers.fillIn(id, {
      name: a.name,
      email: a.email,
      note: a.reason ? `סיבת פנייה (סוכן): ${a.reason}` : undefined,
    });
    if (!found) return { ok: false, result: JSON.stringify({ error: 'customer not found' }) };
    const fields: Record<string, string> = {};
    if (a.name) fields.name = a.name;
    if (a.reason) fields.reason = a.reason;
    if (a.email) fields.email = a.email;
    return { ok: true, result: JSON.stringify({ ok: true, customer_id: id }), fields };
  }

  private book(a: z.infer<typeof bookArgs>, ctx: ToolContext): ToolOutcome {
    const now = this.deps.clock.now();
    const biz = this.deps.business.get();
    let notBefore = now + 60 * 60_000;
    if (a.date) {
      const [y, m, d] = a.date.split('-').map(Number) as [number, number, number];
      const [hh, mm] = (a.time ?? '00:00').split(':').map(Number) as [number, number];
      notBefore = Math.max(notBefore, fromLocal(y, m, d, hh, mm));
    } else if (a.time) {
      const p = localParts(now);
      const [hh, mm] = a.time.split(':').map(Number) as [number, number];
      notBefore = Math.max(notBefore, fromLocal(p.year, p.month, p.day, hh, mm));
    }
    const duration = a.duration_minutes ?? 30;
    const slot = findFreeSlot(this.deps.calendar, {
      exceptCallId: ctx.callId,
      notBefore,
      durationMin: duration,
      hours: parseWorkingHours(biz.knowledge.hours),
    });
    if (!slot)
      return {
        ok: false,
        result: JSON.stringify({ error: 'אין מועד פנוי בשלושת השבועות הקרובים; הצע משימת חזרה' }),
      };
    const customerId = this.ensureCustomer(ctx, a.name);
    const row = this.deps.calendar.bookForCall({
      callId: ctx.callId,
      customerId,
      title: `תור${a.name ? `: ${a.name}` : ''}${a.reason ? ` – ${a.reason}` : ''}`,
      description: a.reason ?? '',
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      reminderAt: slot.startsAt - 60 * 60_000,
    });
    const said = sayLocal(slot.startsAt);
    return {
      ok: true,
      result: JSON.stringify({
        ok: true,
        task_id: row.id,
        starts_at: new Date(slot.startsAt).toISOString(),
        say: said,
      }),
      fields: { appointment: said },
    };
  }
}
