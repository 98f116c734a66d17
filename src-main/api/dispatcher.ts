import { z } from 'zod';
import type { Logger } from '../platform/logger';
import type { FeatureFlag, Features } from './contract/business';
import {
  contract,
  isMethodName,
  type MethodName,
  type MethodOutput,
  type MethodParsedInput,
} from './contract';
import type { Envelope } from './envelope';
import { isStorageFailure, storageErrorCode } from '../platform/storage-health';
import { ApiError, storageFull } from './errors';
import { badInputDetails } from './field-issues';

export interface CallContext {
  /** Which transport carried the call. */
  transport: 'ipc' | 'http' | 'internal';
  requestId: string;
}

export type Handler<M extends MethodName> = (
  input: MethodParsedInput<M>,
  ctx: CallContext,
) => MethodOutput<M> | Promise<MethodOutput<M>>;

export type Handlers = { [M in MethodName]: Handler<M> };

export interface DispatcherDeps {
  handlers: Handlers;
  features: () => Features;
  logger: Logger;
}

/** Hebrew-and-English message for a disabled feature, shared by every transport. */
export const featureDisabled = (feature: FeatureFlag) =>
  new ApiError(
    'feature_disabled',
    `${feature} is off for this business`,
    undefined,
    `${feature.replace(/^enable_/, '').replace(/_enabled$/, '')}_disabled`,
  );

/**
 * Runs one API call: unknown method → 404, the feature flag checked (before the input),
 * input checked with the contract's schema, the handler run, its answer checked. Never throws.
 */
export function createDispatcher(deps: DispatcherDeps) {
  return async function dispatch(
    method: string,
    rawInput: unknown,
    ctx: CallContext,
  ): Promise<Envelope<unknown>> {
    try {
      if (!isMethodName(method)) throw new ApiError('not_found', `unknown method ${method}`);
      const def = contract[method];
      // The flag first: a disabled feature answers 403 whatever the body, so a bad body cannot
      // tell a caller anything about a feature that is off.
      if ('feature' in def && def.feature && !deps.features()[def.feature as FeatureFlag]) {
        throw featureDisabled(def.feature as FeatureFlag);
      }
      const parsed = def.input.safeParse(rawInput ?? undefined);
      if (!parsed.success) {
        // Per field: zod's flattened messages and the field issues the forms show in Hebrew.
        const error = parsed.error as z.ZodError;
        throw new ApiError('bad_input', 'invalid input', badInputDetails(z.flattenError(error), error));
      }
      const handler = deps.handlers[method] as (input: unknown, ctx: CallContext) => unknown;
      const data: unknown = await handler(parsed.data, ctx);
      const out = def.output.safeParse(data);
      if (!out.success) {
        deps.logger.error(
          { method, issues: out.error.issues.slice(0, 5), request_id: ctx.requestId },
          'api output failed its schema',
        );
        throw new ApiError('internal', 'internal error');
      }
      return { ok: true, data: out.data };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, error: err.toBody(), status: err.status };
      // The one place a refused write (SQLITE_FULL, SQLITE_IOERR*, ENOSPC) becomes storage_full.
      if (isStorageFailure(err)) {
        deps.logger.error(
          { method, code: storageErrorCode(err), request_id: ctx.requestId },
          'storage full or failing: the change was not saved',
        );
        const e = storageFull();
        return { ok: false, error: e.toBody(), status: e.status };
      }
      deps.logger.error({ err, method, request_id: ctx.requestId }, 'api handler failed');
      const e = new ApiError('internal', 'internal error');
      return { ok: false, error: e.toBody(), status: e.status };
    }
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;
