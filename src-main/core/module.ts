import type { Handlers } from '../api/dispatcher';
import type { Readiness } from '../api/contract/system';
import type { LocalWsRoute } from '../server/local';
import type { PublicModule } from '../server/public';
import type { SecretName } from '../platform/secrets';
import type { TimelineSource } from '../platform/timeline';
import type { Provided } from './registry';

type ReadinessValue = Readiness['db'];
/** Every probe `/readyz` reports, read from the contract (a nested group's keys, e.g. payments.paypal). */
type ProbeKeys<T> = {
  [K in keyof T]-?: NonNullable<T[K]> extends string ? K & string : keyof NonNullable<T[K]> & string;
}[keyof T];
export type ReadinessKey = Exclude<ProbeKeys<Readiness>, 'db'>;

/**
 * What a feature (telephony, CRM, WhatsApp, billing, contracts …) plugs into the core:
 * its API handlers, its public routes, its readiness probes and its lifecycle.
 */
export interface FeatureModule {
  name: string;
  handlers?: Partial<Handlers>;
  public?: PublicModule;
  /** WebSockets on the local 127.0.0.1 server (token-checked), never on the public one. */
  local?: { websockets: LocalWsRoute[] };
  readiness?: Partial<Record<ReadinessKey, () => ReadinessValue | Promise<ReadinessValue>>>;
  /** Services other parts (the shell, tests) look up by a typed key (core/registry.ts). */
  provides?: Provided[];
  /** How this module's records appear on a customer's timeline (platform/timeline.ts). */
  timeline?: TimelineSource[];
  /**
   * Called inside the merge transaction after every row referencing `fromId` was re-linked to
   * `intoId` (the CRM finds them from the schema's foreign keys): re-link, never re-word.
   */
  customerMerged?(intoId: number, fromId: number): void;
  /** A key was changed in Settings (by name; read the value through the resolver). */
  secretChanged?(name: SecretName): void;
  /** The computer woke from sleep (Electron powerMonitor 'resume'): reconnect long-lived links. */
  systemResumed?(): void;
  /** Runs after the servers listen (workers, timers, resumed jobs). */
  start?(): void | Promise<void>;
  /**
   * Runs first at shutdown, while the servers still answer: finish live work in a way a person
   * notices as intended (a live call hears a short goodbye and is hung up). Bounded by the core.
   */
  drain?(): Promise<void>;
  /** Runs before the database closes. */
  stop?(): void | Promise<void>;
}
