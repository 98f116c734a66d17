/**
 * Baileys auth state in SQLite (table `wa_auth`, one row per key), modelled on Baileys'
 * `useMultiFileAuthState` but without loose files:
 *
 * - row `creds` holds `AuthenticationCreds`; row `k:<type>:<id>` holds one signal key of any type
 *   (pre-key, session, sender-key, sender-key-memory, app-state-sync-key, app-state-sync-version,
 *   v7's lid-mapping, device-list, tctoken, identity-key — whatever Baileys hands `keys.set`);
 * - values are JSON with Baileys' own `BufferJSON` replacer/reviver (Buffers as base64);
 * - every `keys.set` call is ONE SQLite transaction: a crash never leaves half a batch (Baileys'
 *   own transaction layer hands us a whole batch at commit);
 * - `app-state-sync-key` values come back as `proto.Message.AppStateSyncKeyData`, as upstream.
 *
 * Synchronous better-sqlite3 underneath; the async signatures are Baileys'.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../../db/client';
import type { Clock } from '../../platform/clock';
import type {
  AuthenticationCreds,
  AuthenticationState,
  BaileysLib,
  SignalDataSet,
  SignalDataTypeMap,
} from './lib';

const CREDS_KEY = 'creds';
/** SQLite's default limit on bound parameters is 32766; stay far below it. */
const IN_CHUNK = 500;

export type KeyType = keyof SignalDataTypeMap;

export interface SqliteAuthState {
  /** `creds` is the live object Baileys mutates; call `saveCreds` on `creds.update`. */
  state: AuthenticationState;
  saveCreds(): void;
  /** Paired before (creds.registered or an account `me`): connecting needs no QR. */
  isPaired(): boolean;
  /** Logged out: every row goes, in one transaction, and fresh creds replace the live ones. */
  wipe(): void;
  /** Rows stored (creds + keys), for tests and the memory check. */
  rowCount(): number;
  /** LID user → phone user, from Baileys' own `lid-mapping` keys (`<lidUser>_reverse`). */
  pnUserForLidUser(lidUser: string): string | null;
  /** Phone user → LID user (`<pnUser>`). */
  lidUserForPnUser(pnUser: string): string | null;
}

type Lib = Pick<BaileysLib, 'BufferJSON' | 'initAuthCreds' | 'proto'>;

export function keyRow(type: string, id: string): string {
  return `k:${type}:${id}`;
}

export function createSqliteAuthState(db: Db, lib: Lib, clock: Clock): SqliteAuthState {
  const sqlite: Database.Database = db.$client;
  const selectOne = sqlite.prepare<[string], { value: string }>('SELECT value FROM wa_auth WHERE key = ?');
  const upsert = sqlite.prepare<[string, string, number]>(
    `INSERT INTO wa_auth (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const remove = sqlite.prepare<[string]>('DELETE FROM wa_auth WHERE key = ?');
  const removeAll = sqlite.prepare('DELETE FROM wa_auth');
  const count = sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM wa_auth');
  const selectMany = new Map<number, Database.Statement<string[], { key: string; value: string }>>();
  const manyStatement = (n: number) => {
    let s = selectMany.get(n);
    if (!s) {
      s = sqlite.prepare<string[], { key: string; value: string }>(
        `SELECT key, value FROM wa_auth WHERE key IN (${Array.from({ length: n }, () => '?').join(',')})`,
      );
      selectMany.set(n, s);
    }
    return s;
  };

  const encode = (value: unknown) => JSON.stringify(value, lib.BufferJSON.replacer);
  const decode = (text: string): unknown => JSON.parse(text, lib.BufferJSON.reviver);

  const readCreds = (): AuthenticationCreds | null => {
    const row = selectOne.get(CREDS_KEY);
    return row ? (decode(row.value) as AuthenticationCreds) : null;
  };

  const setBatch = sqlite.transaction((data: SignalDataSet, now: number) => {
    for (const type of Object.keys(data) as KeyType[]) {
      const entries = data[type];
      if (!entries) continue;
      for (const id of Object.keys(entries)) {
        const value = entries[id];
        const k = keyRow(type, id);
        if (value === null || value === undefined) remove.run(k);
        else upsert.run(k, encode(value), now);
      }
    }
  });

  const state: AuthenticationState = {
    creds: readCreds() ?? lib.initAuthCreds(),
    keys: {
      get: async <T extends KeyType>(type: T, ids: string[]) => {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        const prefix = keyRow(type, '');
        for (let i = 0; i < ids.length; i += IN_CHUNK) {
          const chunk = ids.slice(i, i + IN_CHUNK).map((id) => keyRow(type, id));
          for (const row of manyStatement(chunk.length).all(...chunk)) {
            let value = decode(row.value);
            if (type === 'app-state-sync-key' && value) {
              value = lib.proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>);
            }
            out[row.key.slice(prefix.length)] = value as SignalDataTypeMap[T];
          }
        }
        return out;
      },
      set: async (data: SignalDataSet) => {
        setBatch(data, clock.now());
      },
      clear: async () => {
        sqlite.prepare(`DELETE FROM wa_auth WHERE key LIKE 'k:%'`).run();
      },
    },
  };

  const readString = (k: string): string | null => {
    const row = selectOne.get(k);
    if (!row) return null;
    const v = decode(row.value);
    return typeof v === 'string' ? v : null;
  };

  return {
    state,
    saveCreds: () => {
      upsert.run(CREDS_KEY, encode(state.creds), clock.now());
    },
    isPaired: () => Boolean(state.creds.registered || state.creds.me?.id),
    wipe: () => {
      sqlite.transaction(() => removeAll.run())();
      // Baileys holds `state.creds` by reference: replace its contents, not the object.
      const fresh = lib.initAuthCreds();
      const live = state.creds as unknown as Record<string, unknown>;
      for (const k of Object.keys(live)) delete live[k];
      Object.assign(live, fresh);
    },
    rowCount: () => count.get()?.n ?? 0,
    pnUserForLidUser: (lidUser) => readString(keyRow('lid-mapping', `${lidUser}_reverse`)),
    lidUserForPnUser: (pnUser) => readString(keyRow('lid-mapping', pnUser)),
  };
}
