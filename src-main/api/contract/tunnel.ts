import { z } from 'zod';
import { method } from '../define';
import { empty } from './common';

export const TUNNEL_STATES = ['off', 'connecting', 'online', 'retrying', 'failed'] as const;
/** Why the tunnel is not online: a wrong key and a taken address need the owner; the rest heal. */
export const TUNNEL_ERRORS = ['auth', 'domain', 'network', 'other'] as const;

export const tunnelStateSchema = z.object({
  state: z.enum(TUNNEL_STATES),
  /** The tunnel's public URL while online. */
  url: z.string().nullable(),
  /** The reserved ngrok domain asked for, if any. */
  domain: z.string().nullable(),
  /** Connection attempts since the last success. */
  attempt: z.number().int().nonnegative(),
  nextRetryAt: z.number().int().nullable(),
  error: z.enum(TUNNEL_ERRORS).nullable(),
  /** The service's own words, for the log and support (never shown raw to the owner). */
  detail: z.string().nullable(),
  since: z.number().int(),
});
export type TunnelState = z.infer<typeof tunnelStateSchema>;

export const publicAddressSchema = z.object({
  host: z.string().nullable(),
  source: z.enum(['settings', 'tunnel', 'env']).nullable(),
  changedAt: z.number().int().nullable(),
});

export const connectionSchema = z.object({
  tunnel: tunnelStateSchema,
  /** Whether the owner wants the tunnel (it still needs the ngrok key). */
  enabled: z.boolean(),
  /** The owner's own address (own domain / reverse proxy), if set. */
  ownAddress: z.string().nullable(),
  /** The address Twilio is told to use now. */
  publicAddress: publicAddressSchema,
});
export type ConnectionInfo = z.infer<typeof connectionSchema>;

const hostInput = z
  .string()
  .trim()
  .max(253)
  .regex(/^(https?:\/\/)?[a-z0-9.-]+(:\d{1,5})?\/?$/i, 'a host name such as shop.example.co.il');

export const tunnelMethods = {
  'tunnel.status': method({
    summary: 'The tunnel and the public address Twilio is told to use',
    input: empty,
    output: connectionSchema,
  }),
  'tunnel.configure': method({
    summary: 'Turn the tunnel on or off, choose a reserved ngrok domain or the owner’s own address',
    input: z
      .object({
        enabled: z.boolean().optional(),
        domain: hostInput.nullable().optional(),
        ownAddress: hostInput.nullable().optional(),
      })
      .strict(),
    output: connectionSchema,
  }),
};

export const tunnelEvents = {
  /** The tunnel or the public address changed. */
  'tunnel.state': connectionSchema,
};
