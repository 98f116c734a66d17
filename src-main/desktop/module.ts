/**
 * Desktop behaviour stored by the core (so it survives reinstalls with the data and is shown in
 * Settings in either mode); the Electron shell applies it: login item, update feed.
 */
import { desktopSettingsSchema, type DesktopSettings } from '../api/contract/desktop';
import type { EventBus } from '../api/events';
import type { FeatureModule } from '../core/module';
import type { SettingsStore } from '../platform/settings';

export const DESKTOP_SETTINGS_KEY = 'desktop';

export function desktopSettings(settings: SettingsStore): DesktopSettings {
  return settings.get(DESKTOP_SETTINGS_KEY, desktopSettingsSchema.prefault({}));
}

export function desktopModule(deps: { settings: SettingsStore; bus: EventBus }): FeatureModule {
  return {
    name: 'desktop',
    handlers: {
      'desktop.settings.get': () => desktopSettings(deps.settings),
      'desktop.settings.set': (input) => {
        const next = desktopSettingsSchema.parse({ ...desktopSettings(deps.settings), ...input });
        deps.settings.set(DESKTOP_SETTINGS_KEY, next);
        deps.bus.emit('desktop.settings', next);
        return next;
      },
    },
  };
}
