/**
 * The audit log: one hash-chained stream of events that billing (issue, cancel), contracts
 * (every transition) and secrets changes write to. Each event stores the SHA-256 of the previous
 * event's hash plus its own content, and the newest event is anchored in `settings`, so an edited,
 * deleted or re-ordered event — or a changed file an event vouches for — is found by `verify()`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Clock } from './clock';

export const AUDIT_GENESIS = '0'.repeat(64);
const HEAD_KEY = 'audit_head';
const BUSINESS_ID = 1;

export interface AuditInput {
  entityType: string;
  entityId: number;
  /** What happened, e.g. `document.issued`, `contract.signed`, `secret.changed`. */
  event: string;
  /** Content of the event. A `file: { path, sha256 }` entry (path relative to the data folder) is checked by verify. */
  data?: Record<string, unknown>;
  actor?: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditEvent {
  id: number;
  entityType: string;
  entityId: number;
  event: string;
  data: Record<string, unknown>;
  actor: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: number;
  prevHash: string;
  hash: string;
}

export type AuditProblem =
  | { kind: 'edited'; eventId: number }
  | { kind: 'deleted'; afterEventId: number | null; beforeEventId: number | null }
  | { kind: 'file_changed' | 'file_missing'; eventId: number; file: string };

export interface AuditVerification {
  ok: boolean;
  events: number;
  problems: AuditProblem[];
}

export interface Row {
  id: number;
  business_id: number;
  entity_type: string;
  entity_id: number;
  event: string;
  data: string;
  actor: string;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  prev_hash: string;
  hash: string;
}

/** Stable JSON: object keys sorted at every depth, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The hash of one stored row: its content with the previous hash. Mutable foreign keys are not content. */
export const rowHash = (r: Omit<Row, 'hash'>) =>
  sha256(
    `${r.prev_hash}\n${JSON.stringify([r.id, r.business_id, r.entity_type, r.entity_id, r.event, r.data, r.actor, r.ip, r.user_agent, r.created_at])}`,
  );

export class AuditLog {
  constructor(
    private readonly sqlite: Database,
    private readonly clock: Clock,
    /** Where `data.file.path` is relative to (the data folder). */
    private readonly fileRoot?: string,
  ) {}

  /** Appends one event; inside the caller's transaction when there is one (so it commits with the change). */
  append(input: AuditInput): AuditEvent {
    const write = () => {
      const head = this.sqlite.prepare('select id, hash from audit_events order by id desc limit 1').get() as
        { id: number; hash: string } | undefined;
      const row: Omit<Row, 'hash'> = {
        id: (head?.id ?? 0) + 1,
        business_id: BUSINESS_ID,
        entity_type: input.entityType,
        entity_id: input.entityId,
        event: input.event,
        data: canonicalJson(input.data ?? {}),
        actor: input.actor ?? 'owner',
        ip: input.ip ?? null,
        user_agent: input.userAgent ?? null,
        created_at: this.clock.now(),
        prev_hash: head?.hash ?? AUDIT_GENESIS,
      };
      const hash = rowHash(row);
      this.sqlite
        .prepare(
          `insert into audit_events (id, business_id, entity_type, entity_id, event, data, actor, ip, user_agent, created_at, prev_hash, hash)
           values (@id, @business_id, @entity_type, @entity_id, @event, @data, @actor, @ip, @user_agent, @created_at, @prev_hash, @hash)`,
        )
        .run({ ...row, hash });
      this.sqlite
        .prepare(
          `insert into settings (key, value, updated_at) values (?, ?, ?)
           on conflict(key) do update set value = excluded.value, updated_at = excluded.updated_at`,
        )
        .run(HEAD_KEY, JSON.stringify({ id: row.id, hash }), row.created_at);
      return toEvent({ ...row, hash });
    };
    return this.sqlite.inTransaction ? write() : this.sqlite.transaction(write).immediate();
  }

  /** One entity's events, oldest first. */
  history(entityType: string, entityId: number): AuditEvent[] {
    return (
      this.sqlite
        .prepare('select * from audit_events where entity_type = ? and entity_id = ? order by id')
        .all(entityType, entityId) as Row[]
    ).map(toEvent);
  }

  /**
   * Recomputes the whole chain and the hash of every file an event vouches for (with an entity,
   * only that entity's files). A break anywhere in the chain is always reported: it makes every
   * later event unprovable.
   */
  verify(scope?: { entityType: string; entityId: number }): AuditVerification {
    const problems: AuditProblem[] = [];
    const inScope = (r: Row) =>
      !scope || (r.entity_type === scope.entityType && r.entity_id === scope.entityId);
    const edited = (eventId: number) => {
      if (!problems.some((p) => p.kind === 'edited' && p.eventId === eventId))
        problems.push({ kind: 'edited', eventId });
    };
    let prev: Row | undefined;
    let count = 0;
    for (const r of this.sqlite
      .prepare('select * from audit_events order by id')
      .iterate() as Iterable<Row>) {
      count++;
      const expectedId = (prev?.id ?? 0) + 1;
      if (r.id !== expectedId) {
        problems.push({ kind: 'deleted', afterEventId: prev?.id ?? null, beforeEventId: r.id });
      } else if (r.prev_hash !== (prev?.hash ?? AUDIT_GENESIS)) {
        // The previous event was rewritten with a recomputed hash (or this link was).
        edited(prev?.id ?? r.id);
      }
      if (rowHash(r) !== r.hash) edited(r.id);
      if (inScope(r)) this.checkFile(r, problems);
      prev = r;
    }
    const anchor = this.sqlite.prepare('select value from settings where key = ?').get(HEAD_KEY) as
      { value: string } | undefined;
    if (anchor) {
      const head = JSON.parse(anchor.value) as { id: number; hash: string };
      if (!prev || head.id > prev.id)
        problems.push({ kind: 'deleted', afterEventId: prev?.id ?? null, beforeEventId: null });
      else if (head.id === prev.id && head.hash !== prev.hash) edited(prev.id);
    } else if (prev) problems.push({ kind: 'deleted', afterEventId: prev.id, beforeEventId: null });
    return { ok: problems.length === 0, events: count, problems };
  }

  private checkFile(r: Row, problems: AuditProblem[]) {
    if (!this.fileRoot) return;
    let data: { file?: { path?: unknown; sha256?: unknown } };
    try {
      data = JSON.parse(r.data) as typeof data;
    } catch {
      return; // an unparseable row is already reported as edited
    }
    const f = data.file;
    if (!f || typeof f.path !== 'string' || typeof f.sha256 !== 'string') return;
    const root = path.resolve(this.fileRoot);
    const file = path.resolve(root, f.path);
    if (!file.startsWith(root + path.sep) || !existsSync(file)) {
      problems.push({ kind: 'file_missing', eventId: r.id, file: f.path });
    } else if (sha256(readFileSync(file)) !== f.sha256) {
      problems.push({ kind: 'file_changed', eventId: r.id, file: f.path });
    }
  }
}

function toEvent(r: Row): AuditEvent {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(r.data) as Record<string, unknown>;
  } catch {
    data = {};
  }
  return {
    id: r.id,
    entityType: r.entity_type,
    entityId: r.entity_id,
    event: r.event,
    data,
    actor: r.actor,
    ip: r.ip,
    userAgent: r.user_agent,
    createdAt: r.created_at,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
