/**
 * A small LRU with a time-to-live, shaped as Baileys' `CacheStore` (plus `mget`/`mset`/`mdel`
 * for `userDevicesCache`). Baileys' defaults are TTL-only NodeCaches with no key limit; a
 * socket that stays up for days with many chats would grow them without bound. Every cache the
 * provider hands Baileys is one of these, with a hard `max`.
 */
import type { Clock } from '../../platform/clock';

export interface BoundedCacheOptions {
  max: number;
  ttlMs: number;
  clock: Pick<Clock, 'monotonic'>;
}

export class BoundedCache {
  private readonly map = new Map<string, { value: unknown; expires: number }>();

  constructor(private readonly opts: BoundedCacheOptions) {
    if (!(opts.max > 0)) throw new Error('BoundedCache max must be > 0');
  }

  get size(): number {
    return this.map.size;
  }

  get max(): number {
    return this.opts.max;
  }

  get<T>(key: string): T | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.opts.clock.monotonic()) {
      this.map.delete(key);
      return undefined;
    }
    // Refresh recency: Map keeps insertion order, the first key is the least recently used.
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value as T;
  }

  set<T>(key: string, value: T): boolean {
    this.map.delete(key);
    this.map.set(key, { value, expires: this.opts.clock.monotonic() + this.opts.ttlMs });
    while (this.map.size > this.opts.max) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
    return true;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  del(key: string): boolean {
    return this.map.delete(key);
  }

  flushAll(): void {
    this.map.clear();
  }

  close(): void {
    this.map.clear();
  }

  async mget<T>(keys: string[]): Promise<Record<string, T | undefined>> {
    const out: Record<string, T | undefined> = {};
    for (const k of keys) out[k] = this.get<T>(k);
    return out;
  }

  async mset<T>(entries: { key: string; value: T }[]): Promise<void> {
    for (const e of entries) this.set(e.key, e.value);
  }

  async mdel(keys: string[]): Promise<void> {
    for (const k of keys) this.map.delete(k);
  }
}
