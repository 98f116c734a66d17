import type { TunnelConnector, TunnelHandle, TunnelOpenOptions } from './port';
import { TunnelError } from './port';

/**
 * ngrok's own error codes (https://ngrok.com/docs/errors): ERR_NGROK_105/106/107 a bad or
 * revoked authtoken, 4018 no account token, 313/320/334 a domain that is not yours or in use.
 */
export function classifyNgrokError(message: string): TunnelError['kind'] {
  const m = /ERR_NGROK_(\d+)/.exec(message);
  const code = m ? Number(m[1]) : undefined;
  if (code && [105, 106, 107, 4018, 8012].includes(code)) return 'auth';
  if (code && [313, 320, 334, 3200].includes(code)) return 'domain';
  if (/authtoken|authentication failed/i.test(message)) return 'auth';
  if (/timed out|dns|connect|network|unreachable|refused|reset/i.test(message)) return 'network';
  return 'other';
}

/** The official ngrok SDK in-process (no ngrok binary): one session, one HTTP endpoint. */
export class NgrokConnector implements TunnelConnector {
  /** `serverAddr`: NGROK_SERVER_ADDR, where the session connects (ngrok's default when unset). */
  constructor(private readonly serverAddr?: string) {}

  async open(opts: TunnelOpenOptions): Promise<TunnelHandle> {
    const ngrok = await import('@ngrok/ngrok');
    let dropped = false;
    let session: Awaited<ReturnType<InstanceType<typeof ngrok.SessionBuilder>['connect']>>;
    try {
      const builder = new ngrok.SessionBuilder();
      if (this.serverAddr) builder.serverAddr(this.serverAddr);
      session = await builder
        .authtoken(opts.authtoken)
        .clientInfo('agentlocator', '1')
        // We reconnect ourselves (with backoff, and the owner is shown the state).
        .handleDisconnection((_addr, error) => {
          if (!dropped) {
            dropped = true;
            opts.onDrop(error || 'disconnected');
          }
          return false;
        })
        .connect();
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      throw new TunnelError(classifyNgrokError(message), message);
    }
    try {
      let endpoint = session.httpEndpoint();
      if (opts.domain) endpoint = endpoint.domain(opts.domain);
      const listener = await endpoint.listenAndForward(opts.forwardTo);
      const url = listener.url();
      if (!url) throw new TunnelError('other', 'ngrok gave no URL');
      return {
        url,
        async close() {
          dropped = true;
          await listener.close().catch(() => undefined);
          await session.close().catch(() => undefined);
        },
      };
    } catch (err) {
      await session.close().catch(() => undefined);
      if (err instanceof TunnelError) throw err;
      const message = (err as Error).message ?? String(err);
      throw new TunnelError(classifyNgrokError(message), message);
    }
  }
}
