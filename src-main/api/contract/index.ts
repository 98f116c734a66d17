/**
 * The one API contract: every method the renderer can call (IPC under Electron, HTTP in
 * browser mode) and every live event it can receive. Feature modules add their own file
 * here and spread it in below.
 */
import type { z } from 'zod';
import { businessEvents, businessMethods } from './business';
import { callsEvents, callsMethods } from './calls';
import { monitorEvents, monitorMethods } from './monitor';
import { crmEvents, crmMethods } from './crm';
import { systemEvents, systemMethods } from './system';
import { tunnelEvents, tunnelMethods } from './tunnel';
import { phoneEvents, phoneMethods } from './phone';
import { setupMethods } from './setup';
import { billingMethods } from './billing';
import { backupEvents, backupMethods } from './backup';
import { paymentsEvents, paymentsMethods } from './payments';
import { auditMethods } from './audit';
import { desktopEvents, desktopMethods } from './desktop';
import { contractsEvents, contractsMethods } from './contracts';
import { whatsappEvents, whatsappMethods } from './whatsapp';

export const contract = {
  ...systemMethods,
  ...businessMethods,
  ...callsMethods,
  ...monitorMethods,
  ...crmMethods,
  ...tunnelMethods,
  ...phoneMethods,
  ...setupMethods,
  ...billingMethods,
  ...backupMethods,
  ...paymentsMethods,
  ...auditMethods,
  ...desktopMethods,
  ...contractsMethods,
  ...whatsappMethods,
};

export const events = {
  ...systemEvents,
  ...businessEvents,
  ...callsEvents,
  ...monitorEvents,
  ...crmEvents,
  ...tunnelEvents,
  ...phoneEvents,
  ...desktopEvents,
  ...backupEvents,
  ...paymentsEvents,
  ...whatsappEvents,
  ...contractsEvents,
};

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const isMethodName = (name: string): name is MethodName => Object.hasOwn(contract, name);
