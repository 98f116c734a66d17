/**
 * The WhatsApp feature module (SPEC §2). Handlers are filled in by the inbox/outbox services;
 * until a piece lands its method answers 501 not_configured rather than pretending.
 */
import type { Handlers } from '../api/dispatcher';
import { whatsappMethods } from '../api/contract/whatsapp';
import { ApiError } from '../api/errors';
import type { FeatureModule } from '../core/module';

type WaMethod = keyof typeof whatsappMethods;

export function whatsappModule(): FeatureModule {
  const handlers = Object.fromEntries(
    (Object.keys(whatsappMethods) as WaMethod[]).map((m) => [
      m,
      () => {
        throw new ApiError('not_configured', `${m} is not available yet`);
      },
    ]),
  ) as Partial<Handlers>;
  return { name: 'whatsapp', handlers };
}
