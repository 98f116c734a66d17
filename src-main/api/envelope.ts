import type { ApiErrorBody } from './errors';

/** What every API call answers, over IPC and HTTP alike. */
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ApiErrorBody; status: number };

/** A live event pushed from the main process. */
export interface EventMessage {
  name: string;
  payload: unknown;
}
