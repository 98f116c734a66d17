import { z } from 'zod';
import { method } from '../define';
import { empty } from './common';

/** How the desktop app behaves on this computer (applied by the Electron shell; stored by the core). */
export const desktopSettingsSchema = z.object({
  /** Start with the computer (hidden in the tray), so the line is answered after a restart. */
  openAtLogin: z.boolean().default(true),
  /** Where updates come from (empty: the address built into the app, if any). */
  updateFeedUrl: z
    .string()
    .trim()
    .max(500)
    .refine((u) => u === '' || /^https:\/\/[^\s/]+(\/\S*)?$/.test(u), 'an https:// address')
    .default(''),
});
export type DesktopSettings = z.infer<typeof desktopSettingsSchema>;

export const desktopMethods = {
  'desktop.settings.get': method({
    summary: 'Desktop behaviour: open at login, update feed',
    input: empty,
    output: desktopSettingsSchema,
  }),
  'desktop.settings.set': method({
    summary: 'Change the desktop behaviour (the shell applies it at once)',
    input: desktopSettingsSchema.partial().strict(),
    output: desktopSettingsSchema,
  }),
};

export const desktopEvents = {
  'desktop.settings': desktopSettingsSchema,
};
