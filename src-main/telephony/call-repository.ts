/**
 * The call log: one row per Twilio CallSid in `calls`, its turns in `call_turns`. Every
 * change goes through here so `onChanged` (→ the `call.updated` live event) sees it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, count, desc, eq, gte, isNull, lt, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { CALL_PREVIEW_CHARS, type CallDetail, type CallSummary, type CallTurn } from '../api/contract/calls';
import { BUSINESS_ID } from '../business/business-service';
import type { Db } from '../db/client';
import { calls, callTurns, customers } from '../db/schema';
import type { Clock } from '../platform/clock';
import { normalizePhone } from '../platform/phone';

export type CallRow = typeof calls.$inferSelect;
export type CallStatus = CallRow['status'];
export type CallMode = CallRow['mode'];
export type RecordingStatus = NonNullable<CallRow['recordingStatus']>;

/** Statuses after which a call is over; a late, lower status never overwrites them. */
export const TERMINAL_STATUSES: ReadonlySet<CallStatus> = new Set([
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
]);
const STATUS_RANK: Record<CallStatus, number> = {
  queued: 0,
  ringing: 1,
  'in-progress': 2,
  completed: 3,
  busy: 3,
  failed: 3,
  'no-answer': 3,
  canceled: 3,
};

export interface NewCall {
  callSid: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  customerId: number | null;
  status: CallStatus;
  mode: CallMode;
  engine?: string;
  answeredAt?: number | null;
}

export type CallPatch = Partial<
  Pick<
    CallRow,
    | 'status'
    | 'mode'
    | 'engine'
    | 'customerId'
    | 'endedBy'
    | 'answeredAt'
    | 'endedAt'
    | 'durationSec'
    | 'recordingUrl'
    | 'recordingSid'
    | 'recordingPath'
    | 'recordingStatus'
    | 'transcript'
    | 'summary'
    | 'leadFields'
    | 'error'
  >
>;

/** Why a media stream's `start` was refused (logged, never sent to the peer). */
export type StreamRefusal =
  | 'missing_token'
  | 'bad_token'
  | 'unknown_call'
  | 'no_token_issued'
  | 'stream_already_started'
  | 'call_ended'
  | 'token_mismatch';

export type StreamClaim = { ok: true; call: CallRow } | { ok: false; reason: StreamRefusal };

/** A stream token: 32 random bytes, base64url (43 characters). */
const STREAM_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const sha256 = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export interface CallListFilter {
  page: number;
  limit: number;
  status?: CallStatus;
  mode?: CallMode;
  customerId?: number;
  /** Part of the customer's name or of the number (see numberVariants). */
  q?: string;
  /** Started in [from, to). */
  from?: number;
  to?: number;
}

/**
 * The digit strings a typed (part of a) number can appear as inside a stored E.164 number:
 * its digits ("0501"), the local form without its trunk 0 ("972501" for "0501…") and, for a
 * whole number, its stored form ("050-1234567" → "972501234567"). Fewer than 3 digits: none.
 */
const PHONE_TYPED = /^[+*\d\s\-().]+$/;

export function numberVariants(q: string): string[] {
  if (!PHONE_TYPED.test(q)) return [];
  const digits = q.replace(/\D/g, '');
  if (digits.length < 3) return [];
  const out = new Set([digits]);
  if (/^0[1-9]/.test(digits)) out.add(`972${digits.slice(1)}`);
  const stored = normalizePhone(q)?.replace(/\D/g, '');
  if (stored) out.add(stored);
  return [...out];
}

export class CallRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Told about every changed call (the module turns it into `call.updated`). */
    private readonly onChanged: (call: CallSummary) => void = () => {},
  ) {}

  getBySid(callSid: string): CallRow | undefined {
    return this.db.select().from(calls).where(eq(calls.callSid, callSid)).get();
  }

  getById(id: number): CallRow | undefined {
    return this.db.select().from(calls).where(eq(calls.id, id)).get();
  }

  /**
   * Creates the call, or — when Twilio retries the webhook — keeps the existing row and only
   * moves its status forward. Returns the row and whether it was created.
   */
  upsertIncoming(c: NewCall): { call: CallRow; created: boolean } {
    const now = this.clock.now();
    const inserted = this.db
      .insert(calls)
      .values({
        businessId: BUSINESS_ID,
        callSid: c.callSid,
        direction: c.direction,
        fromNumber: c.from,
        toNumber: c.to,
        customerId: c.customerId,
        status: c.status,
        mode: c.mode,
        engine: c.engine ?? 'pipeline',
        startedAt: now,
        answeredAt: c.answeredAt ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: calls.callSid })
      .returning()
      .get();
    if (inserted) {
      this.changed(inserted);
      return { call: inserted, created: true };
    }
    const existing = this.getBySid(c.callSid)!;
    const patch: CallPatch = { mode: c.mode };
    if (STATUS_RANK[c.status] > STATUS_RANK[existing.status]) patch.status = c.status;
    if (existing.customerId == null && c.customerId != null) patch.customerId = c.customerId;
    if (existing.answeredAt == null && c.answeredAt != null) patch.answeredAt = c.answeredAt;
    return { call: this.update(c.callSid, patch) ?? existing, created: false };
  }

  /** Applies a patch by CallSid; returns the updated row, undefined when there is no such call. */
  update(callSid: string, patch: CallPatch): CallRow | undefined {
    const row = this.db
      .update(calls)
      .set({ ...patch, updatedAt: this.clock.now() })
      .where(eq(calls.callSid, callSid))
      .returning()
      .get();
    if (row) this.changed(row);
    return row;
  }

  /**
   * Mints the call's single-use media-stream token (>= 128 bits from the CSPRNG) and keeps only
   * its SHA-256. A new token replaces an unused one (Twilio retried incoming_call); none is issued
   * once a stream started or the call ended. Returns the token, or undefined.
   */
  issueStreamToken(callSid: string): string | undefined {
    const token = randomBytes(32).toString('base64url');
    const row = this.db
      .update(calls)
      .set({ streamTokenHash: sha256(token).toString('hex'), updatedAt: this.clock.now() })
      .where(
        and(
          eq(calls.callSid, callSid),
          isNull(calls.streamStartedAt),
          isNull(calls.endedAt),
          notInArray(calls.status, [...TERMINAL_STATUSES]),
        ),
      )
      .returning({ id: calls.id })
      .get();
    return row ? token : undefined;
  }

  /**
   * A media stream's `start` for this call: accepted only with the token issued for it, for a call
   * that is not over and has had no stream yet. The token is used up in the same transaction
   * (hash cleared, stream_started_at set), so it opens one stream, once. Refusals change nothing.
   */
  claimStream(callSid: string, token: string | undefined): StreamClaim {
    if (!token) return { ok: false, reason: 'missing_token' };
    if (!STREAM_TOKEN.test(token)) return { ok: false, reason: 'bad_token' };
    const presented = sha256(token);
    return this.db.$client.transaction((): StreamClaim => {
      const row = this.getBySid(callSid);
      if (!row) return { ok: false, reason: 'unknown_call' };
      if (row.streamStartedAt != null) return { ok: false, reason: 'stream_already_started' };
      if (row.endedAt != null || TERMINAL_STATUSES.has(row.status))
        return { ok: false, reason: 'call_ended' };
      if (!row.streamTokenHash) return { ok: false, reason: 'no_token_issued' };
      const stored = Buffer.from(row.streamTokenHash, 'hex');
      if (stored.length !== presented.length || !timingSafeEqual(stored, presented))
        return { ok: false, reason: 'token_mismatch' };
      const now = this.clock.now();
      const claimed = this.db
        .update(calls)
        .set({ streamTokenHash: null, streamStartedAt: now, updatedAt: now })
        .where(
          and(
            eq(calls.callSid, callSid),
            eq(calls.streamTokenHash, row.streamTokenHash),
            isNull(calls.streamStartedAt),
            isNull(calls.endedAt),
          ),
        )
        .returning()
        .get();
      if (!claimed) return { ok: false, reason: 'stream_already_started' };
      this.changed(claimed);
      return { ok: true, call: claimed };
    })();
  }

  /** The agent ended the stream on purpose (goodbye, transfer …): stream_ended then answers <Hangup/>. */
  setEndedBy(callSid: string, reason: string): CallRow | undefined {
    return this.update(callSid, { endedBy: reason.slice(0, 64) });
  }

  setMode(callSid: string, mode: CallMode): CallRow | undefined {
    return this.update(callSid, { mode });
  }

  /**
   * A status callback: moves status forward only (a late `ringing` never reopens a completed
   * call); a terminal status sets ended_at and the duration when given.
   */
  applyStatus(
    callSid: string,
    s: { status: CallStatus; durationSec?: number | null; endedAt?: number | null },
  ): CallRow | undefined {
    const existing = this.getBySid(callSid);
    if (!existing) return undefined;
    const patch: CallPatch = {};
    if (
      STATUS_RANK[s.status] > STATUS_RANK[existing.status] ||
      (TERMINAL_STATUSES.has(s.status) && !TERMINAL_STATUSES.has(existing.status))
    ) {
      patch.status = s.status;
    }
    if (s.status === 'in-progress' && existing.answeredAt == null) patch.answeredAt = this.clock.now();
    if (TERMINAL_STATUSES.has(s.status)) {
      if (existing.endedAt == null) patch.endedAt = s.endedAt ?? this.clock.now();
      if (s.durationSec != null) patch.durationSec = s.durationSec;
    }
    if (!Object.keys(patch).length) return existing;
    return this.update(callSid, patch);
  }

  list(f: CallListFilter): { items: CallSummary[]; total: number } {
    const conds: SQL[] = [eq(calls.businessId, BUSINESS_ID)];
    if (f.status) conds.push(eq(calls.status, f.status));
    if (f.mode) conds.push(eq(calls.mode, f.mode));
    if (f.customerId) conds.push(eq(calls.customerId, f.customerId));
    if (f.from !== undefined) conds.push(gte(calls.startedAt, f.from));
    if (f.to !== undefined) conds.push(lt(calls.startedAt, f.to));
    const q = f.q?.trim();
    if (q) {
      // The customer's name (any part of it), or the caller's / called number.
      const byName = sql`${calls.customerId} in (select ${customers.id} from ${customers} where instr(lower(${customers.name}), ${q.toLowerCase()}) > 0)`;
      // The other party's number: the caller's on an incoming call, the called one on an outgoing.
      // A whole number finds its customer through the phone index (every call of a known number
      // has one); a part of a number is looked for inside the other party's stored number.
      const whole = PHONE_TYPED.test(q) ? normalizePhone(q) : null;
      const party = sql`case when ${calls.direction} = 'in' then ${calls.fromNumber} else ${calls.toNumber} end`;
      const byNumber = whole
        ? [
            sql`${calls.customerId} in (select ${customers.id} from ${customers} where ${customers.phone} = ${whole})`,
          ]
        : numberVariants(q).map((d) => sql`instr(${party}, ${d}) > 0`);
      conds.push(or(byName, ...byNumber)!);
    }
    const where = and(...conds);
    const total = this.db.select({ n: count() }).from(calls).where(where).get()?.n ?? 0;
    const rows = this.db
      .select({ call: calls, customerName: customers.name })
      .from(calls)
      .leftJoin(customers, eq(customers.id, calls.customerId))
      .where(where)
      .orderBy(desc(calls.startedAt), desc(calls.id))
      .limit(f.limit)
      .offset((f.page - 1) * f.limit)
      .all();
    return { items: rows.map((r) => toSummary(r.call, r.customerName)), total };
  }

  summary(row: CallRow): CallSummary {
    return toSummary(row, this.customerName(row.customerId));
  }

  detail(id: number, recordingBytes: (row: CallRow) => number | null): CallDetail | undefined {
    const row = this.getById(id);
    if (!row) return undefined;
    const bytes = row.recordingPath ? recordingBytes(row) : null;
    return {
      ...this.summary(row),
      transcript: row.transcript,
      summary: row.summary,
      leadFields: parseLeadFields(row.leadFields),
      error: row.error,
      recording:
        row.recordingSid || row.recordingStatus || row.recordingPath
          ? { sid: row.recordingSid, status: row.recordingStatus, available: bytes != null, bytes }
          : null,
      turns: this.turns(row.id),
    };
  }

  turns(callId: number): CallTurn[] {
    return this.db
      .select()
      .from(callTurns)
      .where(eq(callTurns.callId, callId))
      .orderBy(asc(callTurns.turnIndex))
      .all()
      .map(toTurn);
  }

  /** One turn of a live call with its latencies (voice agent); a repeated index replaces the row. */
  insertTurn(t: Omit<typeof callTurns.$inferInsert, 'id' | 'createdAt'>): CallTurn {
    const createdAt = this.clock.now();
    const { callId: _c, turnIndex: _t, ...rest } = t;
    const row = this.db
      .insert(callTurns)
      .values({ ...t, createdAt })
      .onConflictDoUpdate({ target: [callTurns.callId, callTurns.turnIndex], set: rest })
      .returning()
      .get();
    // The returned row is the turn: no second query reading the call's turns back.
    return toTurn(row);
  }

  private customerName(customerId: number | null): string | null {
    if (customerId == null) return null;
    return (
      this.db.select({ name: customers.name }).from(customers).where(eq(customers.id, customerId)).get()
        ?.name ?? null
    );
  }

  private changed(row: CallRow): void {
    try {
      this.onChanged(this.summary(row));
    } catch {
      // A listener's failure never undoes a write.
    }
  }
}

function toTurn(t: typeof callTurns.$inferSelect): CallTurn {
  return {
    id: t.id,
    turnIndex: t.turnIndex,
    mode: t.mode,
    callerText: t.callerText,
    agentText: t.agentText,
    tVadMs: t.tVadMs,
    tAsrMs: t.tAsrMs,
    tNlpMs: t.tNlpMs,
    tTtsMs: t.tTtsMs,
    tFirstAudioMs: t.tFirstAudioMs,
    tTotalMs: t.tTotalMs,
    interrupted: t.interrupted,
    errorCode: t.errorCode,
    createdAt: t.createdAt,
  };
}

function toSummary(row: CallRow, customerName: string | null): CallSummary {
  return {
    id: row.id,
    callSid: row.callSid,
    direction: row.direction,
    from: row.fromNumber,
    to: row.toNumber,
    customerId: row.customerId,
    customerName: customerName || null,
    status: row.status,
    mode: row.mode,
    engine: row.engine,
    endedBy: row.endedBy,
    startedAt: row.startedAt,
    answeredAt: row.answeredAt,
    endedAt: row.endedAt,
    durationSec: row.durationSec,
    recordingStatus: row.recordingStatus,
    hasRecording: row.recordingPath != null,
    hasTranscript: !!row.transcript,
    // A voice message speaks for itself; a conversation with the agent is best told by its summary.
    preview: preview(row.mode === 'record' ? row.transcript || row.summary : row.summary || row.transcript),
  };
}

/** One line, at most CALL_PREVIEW_CHARS characters (then "…"). */
function preview(text: string | null): string | null {
  const line = text?.replace(/\s+/g, ' ').trim();
  if (!line) return null;
  const chars = [...line];
  return chars.length <= CALL_PREVIEW_CHARS
    ? line
    : `${chars.slice(0, CALL_PREVIEW_CHARS).join('').trimEnd()}…`;
}

function parseLeadFields(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
