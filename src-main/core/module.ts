import type { Handlers } from '../api/dispatcher';
import type { Readiness } from '../api/contract/system';
import type { LocalWsRoute } from '../server/local';
import type { PublicModule } from '../server/public';

type ReadinessValue = Readiness['db'];
export type ReadinessKey = 'openai' | 'tts' | 'whatsapp' | 'tunnel' | 'paypal' | 'tranzila';

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
  /** Runs after the servers listen (workers, timers, resumed jobs). */
  start?(): void | Promise<void>;
  /** Runs before the database closes. */
  stop?(): void | Promise<void>;
}
