/**
 * The tunnel as a feature module: the ngrok key (Settings over NGROK_AUTHTOKEN), the owner's
 * choices (tunnel on/off, a reserved domain, or their own address instead), its live state on
 * the bus and in `/readyz`.
 */
import { z } from 'zod';
import type { ConnectionInfo } from '../api/contract/tunnel';
import type { EventBus } from '../api/events';
import type { FeatureModule } from '../core/module';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import {
  normalizeHost,
  PUBLIC_ADDRESS_SETTING,
  publicAddressSetting,
  type PublicUrlService,
} from '../platform/public-url';
import type { SecretsResolver } from '../platform/secrets-resolver';
import type { SettingsStore } from '../platform/settings';
import { NgrokConnector } from './ngrok-connector';
import type { TunnelConnector } from './port';
import { TunnelService, type TunnelBackoff } from './tunnel-service';

export const TUNNEL_SETTING = 'tunnel';
const tunnelSetting = z
  .object({ enabled: z.boolean().default(true), domain: z.string().max(253).optional() })
  .default({ enabled: true });

export interface TunnelModuleDeps {
  keys: SecretsResolver;
  settings: SettingsStore;
  publicUrl: PublicUrlService;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  forwardTo: () => string | undefined;
  /** NGROK_SERVER_ADDR. */
  serverAddr?: string;
  /** Tests inject a local forwarder; the product uses the ngrok SDK. */
  connector?: TunnelConnector;
  backoff?: Partial<TunnelBackoff>;
}

export interface TunnelModule extends FeatureModule {
  service: TunnelService;
}

export function tunnelModule(deps: TunnelModuleDeps): TunnelModule {
  const log = deps.logger.child({ module: 'tunnel' });
  const config = () => deps.settings.get(TUNNEL_SETTING, tunnelSetting);
  const info = (): ConnectionInfo => ({
    tunnel: service.state(),
    enabled: config().enabled,
    ownAddress: deps.settings.get(PUBLIC_ADDRESS_SETTING, publicAddressSetting).host ?? null,
    publicAddress: deps.publicUrl.state(),
  });
  const emit = () => deps.bus.emit('tunnel.state', info());
  const service = new TunnelService({
    connector: deps.connector ?? new NgrokConnector(deps.serverAddr),
    authtoken: () => deps.keys.get('ngrok_authtoken'),
    config,
    forwardTo: deps.forwardTo,
    publicUrl: deps.publicUrl,
    clock: deps.clock,
    log,
    onState: emit,
    backoff: deps.backoff,
  });
  const unsubscribe = deps.publicUrl.subscribe(emit);

  return {
    name: 'tunnel',
    service,
    readiness: {
      tunnel: () => {
        const s = service.state().state;
        if (s === 'online') return 'ok';
        return s === 'off' ? 'disabled' : 'fail';
      },
    },
    handlers: {
      'tunnel.status': () => info(),
      'tunnel.configure': async (input) => {
        const cur = config();
        const next = {
          enabled: input.enabled ?? cur.enabled,
          domain: input.domain === undefined ? cur.domain : (normalizeHost(input.domain) ?? undefined),
        };
        deps.settings.set(TUNNEL_SETTING, next);
        if (input.ownAddress !== undefined) {
          deps.settings.set(PUBLIC_ADDRESS_SETTING, { host: normalizeHost(input.ownAddress) });
          deps.publicUrl.settingsChanged();
        }
        await service.sync();
        return info();
      },
    },
    secretChanged(name) {
      if (name === 'ngrok_authtoken') void service.sync();
    },
    start: () => service.sync(),
    async stop() {
      unsubscribe();
      await service.stop();
    },
  };
}
