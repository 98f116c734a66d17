import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src-main/db/client';
import { ManualClock } from '../../src-main/platform/clock';
import { createSqliteAuthState } from '../../src-main/whatsapp/baileys/auth-store';
import {
  fromModule,
  importBaileys,
  type BaileysLib,
  type SignalDataSet,
} from '../../src-main/whatsapp/baileys/lib';

const migrationsDir = path.resolve(__dirname, '../../src-main/db/migrations');
let lib: BaileysLib;
const dirs: string[] = [];
const dbs: Db[] = [];

beforeAll(async () => {
  lib = fromModule(await importBaileys());
});

afterEach(() => {
  for (const db of dbs.splice(0)) db.$client.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-auth-'));
  dirs.push(dir);
  return path.join(dir, 'test.db');
}

function open(file: string): Db {
  const db = openDb({ file, migrationsDir });
  dbs.push(db);
  return db;
}

/** One value of every signal key type Baileys v7 stores (SignalDataTypeMap). */
function everyKeyType(): SignalDataSet {
  const b = (n: number, fill: number) => Buffer.alloc(n, fill);
  return {
    'pre-key': { '1': { public: b(32, 1), private: b(32, 2) }, '2': { public: b(32, 3), private: b(32, 4) } },
    session: { '972501234567.0': new Uint8Array([1, 2, 3, 250]), '123456789_1.0:12': b(64, 9) },
    'sender-key': { '120363@g.us::972501234567::0': b(40, 5) },
    'sender-key-memory': { '120363@g.us': { '972501234567:0@s.whatsapp.net': true } },
    'app-state-sync-key': {
      AAAAAK6M: {
        keyData: b(32, 7),
        fingerprint: { rawId: 5, currentIndex: 1, deviceIndexes: [0, 1] },
        timestamp: 1_700_000_000,
      },
    } as never,
    'app-state-sync-version': {
      regular_high: { version: 12, hash: b(128, 8), indexValueMap: { 'aW5kZXg=': { valueMac: b(32, 6) } } },
    },
    'lid-mapping': { '972501234567': '123456789012345', '123456789012345_reverse': '972501234567' },
    'device-list': { '972501234567': ['0', '12', '15'] },
    tctoken: {
      '972501234567@s.whatsapp.net': {
        token: b(20, 11),
        timestamp: '1767254400',
        senderTimestamp: 1767254400,
      },
    },
    'identity-key': { '972501234567.0': b(33, 12) },
  };
}

describe('Baileys auth state in SQLite', () => {
  it('round-trips creds and every signal key type through a reopened database (BufferJSON)', async () => {
    const file = freshFile();
    const clock = new ManualClock();
    const a = createSqliteAuthState(open(file), lib, clock);
    expect(a.isPaired()).toBe(false);
    a.state.creds.me = { id: '972501234567:5@s.whatsapp.net', name: 'העסק' };
    a.state.creds.registered = true;
    a.saveCreds();
    const data = everyKeyType();
    await a.state.keys.set(data);
    const credsBefore = JSON.parse(JSON.stringify(a.state.creds, lib.BufferJSON.replacer));
    dbs.pop()!.$client.close();

    // "Restart": a new connection to the same file.
    const b = createSqliteAuthState(open(file), lib, clock);
    expect(b.isPaired()).toBe(true);
    expect(JSON.parse(JSON.stringify(b.state.creds, lib.BufferJSON.replacer))).toEqual(credsBefore);
    expect(Buffer.isBuffer(b.state.creds.noiseKey.private)).toBe(true);
    for (const type of Object.keys(data) as (keyof SignalDataSet)[]) {
      const ids = Object.keys(data[type]!);
      const got = await b.state.keys.get(type, [...ids, 'missing-id']);
      expect(Object.keys(got).sort(), type).toEqual(ids.sort());
      for (const id of ids) {
        const raw = data[type]![id];
        // app-state-sync-key comes back as the protobuf class (as in useMultiFileAuthState).
        const wantValue =
          type === 'app-state-sync-key'
            ? lib.proto.Message.AppStateSyncKeyData.fromObject(raw as object)
            : raw;
        const want = JSON.parse(JSON.stringify(wantValue, lib.BufferJSON.replacer));
        expect(JSON.parse(JSON.stringify(got[id], lib.BufferJSON.replacer)), `${type}/${id}`).toEqual(want);
      }
    }
    const sk = await b.state.keys.get('app-state-sync-key', ['AAAAAK6M']);
    expect(sk.AAAAAK6M).toBeInstanceOf(lib.proto.Message.AppStateSyncKeyData);
    const pk = await b.state.keys.get('pre-key', ['1']);
    expect(Buffer.isBuffer(pk['1']!.public)).toBe(true);
    expect(b.pnUserForLidUser('123456789012345')).toBe('972501234567');
    expect(b.lidUserForPnUser('972501234567')).toBe('123456789012345');
  });

  it('null deletes a key', async () => {
    const a = createSqliteAuthState(open(freshFile()), lib, new ManualClock());
    await a.state.keys.set({ session: { s1: new Uint8Array([1]), s2: new Uint8Array([2]) } });
    await a.state.keys.set({ session: { s1: null } });
    expect(Object.keys(await a.state.keys.get('session', ['s1', 's2']))).toEqual(['s2']);
  });

  it('each keys.set is one transaction: a batch that fails half-way writes nothing', async () => {
    const db = open(freshFile());
    const a = createSqliteAuthState(db, lib, new ManualClock());
    await a.state.keys.set({ session: { keep: new Uint8Array([1]) } });
    const before = a.rowCount();
    // JSON.stringify throws on a BigInt: the 3rd value of the batch fails after two were written.
    const bad = {
      'pre-key': { '10': { public: Buffer.alloc(1), private: Buffer.alloc(1) } },
      session: { keep: null, s3: new Uint8Array([3]), broken: { n: 1n } as never },
    } as SignalDataSet;
    await expect(a.state.keys.set(bad)).rejects.toThrow();
    expect(a.rowCount()).toBe(before);
    expect(Object.keys(await a.state.keys.get('session', ['keep', 's3']))).toEqual(['keep']);
    expect(Object.keys(await a.state.keys.get('pre-key', ['10']))).toEqual([]);
  });

  it('large batches (more ids than one IN list) and the Baileys cacheable store on top', async () => {
    const a = createSqliteAuthState(open(freshFile()), lib, new ManualClock());
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i < 1_300; i++) many[`s${i}`] = new Uint8Array([i % 256]);
    await a.state.keys.set({ session: many });
    const got = await a.state.keys.get('session', Object.keys(many));
    expect(Object.keys(got)).toHaveLength(1_300);
    const cached = lib.makeCacheableSignalKeyStore(a.state.keys);
    await cached.set({ 'device-list': { u1: ['0', '3'] } });
    expect((await cached.get('device-list', ['u1'])).u1).toEqual(['0', '3']);
    expect((await a.state.keys.get('device-list', ['u1'])).u1).toEqual(['0', '3']);
  });

  it('wipe removes every row and gives the live creds object fresh keys', async () => {
    const a = createSqliteAuthState(open(freshFile()), lib, new ManualClock());
    a.state.creds.me = { id: '972501234567:5@s.whatsapp.net' };
    a.saveCreds();
    await a.state.keys.set(everyKeyType());
    const live = a.state.creds;
    const oldNoise = Buffer.from(live.noiseKey.public);
    a.wipe();
    expect(a.rowCount()).toBe(0);
    expect(a.state.creds).toBe(live);
    expect(a.isPaired()).toBe(false);
    expect(Buffer.from(a.state.creds.noiseKey.public).equals(oldNoise)).toBe(false);
  });
});
