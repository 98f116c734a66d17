import type { Handlers } from '../api/dispatcher';
import type { Readiness } from '../api/contract/system';
import type { LocalWsRoute } from '../server/local';
import type { PublicModule } from '../server/public';
import type { SecretName } from '../platform/secrets';

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
  /** A key was changed in Settings (by name; read the value through the resolver). */
  secretChanged?(name: SecretName): void;
  /** Runs after the servers listen (workers, timers, resumed jobs). */
  start?(): void | Promise<void>;
  /** Runs before the database closes. */
  stop?(): void | Promise<void>;
}
