/**
 * What modules offer beyond API handlers, looked up by a typed key instead of a module's name:
 * a module lists `provides: [provide(KEY, value)]`; the shell and tests ask
 * `core.services.require(KEY)`. The key is declared by the module that provides it, so the core
 * names no feature.
 */
export interface ServiceKey<T> {
  readonly id: string;
  /** Carries T for the type checker only. */
  readonly _type?: (t: T) => T;
}

export const serviceKey = <T>(id: string): ServiceKey<T> => ({ id });

export interface Provided {
  readonly key: ServiceKey<unknown>;
  readonly value: unknown;
}

export const provide = <T>(key: ServiceKey<T>, value: T): Provided => ({
  key: key as ServiceKey<unknown>,
  value,
});

export class ServiceRegistry {
  private readonly byId = new Map<string, unknown>();

  constructor(entries: readonly Provided[]) {
    for (const e of entries) {
      if (this.byId.has(e.key.id)) throw new Error(`service ${e.key.id} is provided twice`);
      this.byId.set(e.key.id, e.value);
    }
  }

  get<T>(key: ServiceKey<T>): T | undefined {
    return this.byId.get(key.id) as T | undefined;
  }

  require<T>(key: ServiceKey<T>): T {
    if (!this.byId.has(key.id)) throw new Error(`no module provides ${key.id}`);
    return this.byId.get(key.id) as T;
  }
}
