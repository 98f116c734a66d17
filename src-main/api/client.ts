/**
 * The renderer's API client, derived from the contract. It does not know the transport:
 * IPC through the preload bridge under Electron, HTTP + WebSocket in browser mode.
 */
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from './contract';
import type { Envelope, EventMessage } from './envelope';
import type { ApiErrorBody } from './errors';

export interface ApiTransport {
  call(method: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (msg: EventMessage) => void): () => void;
}

/** What the preload exposes as `window.agentlocator` (the same shape as a transport). */
export type AgentLocatorBridge = ApiTransport;

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiCallError';
  }
}

export interface ApiClient {
  call<M extends MethodName>(
    method: M,
    ...input: undefined extends MethodInput<M> ? [MethodInput<M>?] : [MethodInput<M>]
  ): Promise<MethodOutput<M>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function createApiClient(transport: ApiTransport): ApiClient {
  return {
    async call(method, ...args) {
      const res = await transport.call(method, args[0]);
      if (!res.ok) throw new ApiCallError(res.status, res.error);
      return res.data as never;
    },
    on(name, listener) {
      return transport.subscribe((msg) => {
        if (msg.name === name) listener(msg.payload as never);
      });
    },
  };
}
