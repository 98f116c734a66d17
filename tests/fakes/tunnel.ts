/**
 * A local stand-in for the ngrok tunnel: each open() starts a real TCP forwarder on 127.0.0.1
 * to the public server and reports a new URL, so requests "from the internet" travel a real
 * hop. Tests make it refuse (by kind) and drop connections on demand.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { TunnelConnector, TunnelHandle, TunnelOpenOptions } from '../../src-main/tunnel/port';
import { TunnelError } from '../../src-main/tunnel/port';

export interface FakeTunnel extends TunnelConnector {
  /** Every open() call, in order, with when it happened. */
  readonly opens: Array<{ authtoken: string; forwardTo: string; domain?: string; at: number }>;
  /** The next open() calls fail with these kinds, one each. */
  failNext(...kinds: TunnelError['kind'][]): void;
  /** The live tunnel drops (its forwarder closes, onDrop fires). */
  drop(reason?: string): Promise<void>;
  /** The port of the live forwarder (what its URL names). */
  livePort(): number | undefined;
  closeAll(): Promise<void>;
}

export function startFakeTunnel(): FakeTunnel {
  const opens: FakeTunnel['opens'] = [];
  const failures: TunnelError['kind'][] = [];
  let live: { server: Server; sockets: Set<Socket>; port: number; opts: TunnelOpenOptions } | undefined;

  const closeServer = async (l: NonNullable<typeof live>) => {
    for (const s of l.sockets) s.destroy();
    await new Promise<void>((r) => l.server.close(() => r()));
  };

  return {
    opens,
    failNext: (...kinds) => failures.push(...kinds),
    livePort: () => live?.port,
    async open(opts): Promise<TunnelHandle> {
      opens.push({
        authtoken: opts.authtoken,
        forwardTo: opts.forwardTo,
        domain: opts.domain,
        at: Date.now(),
      });
      const kind = failures.shift();
      if (kind) throw new TunnelError(kind, `fake tunnel refused (${kind})`);
      const target = new URL(opts.forwardTo);
      const sockets = new Set<Socket>();
      const server = createServer((inbound) => {
        const outbound = connect(Number(target.port), target.hostname);
        sockets.add(inbound).add(outbound);
        inbound.pipe(outbound).pipe(inbound);
        const done = () => {
          inbound.destroy();
          outbound.destroy();
          sockets.delete(inbound);
          sockets.delete(outbound);
        };
        inbound.on('error', done).on('close', done);
        outbound.on('error', done).on('close', done);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as { port: number }).port;
      const mine = { server, sockets, port, opts };
      live = mine;
      return {
        url: `https://127.0.0.1:${port}`,
        async close() {
          if (live === mine) live = undefined;
          await closeServer(mine);
        },
      };
    },
    async drop(reason = 'connection reset by peer') {
      const l = live;
      if (!l) return;
      live = undefined;
      await closeServer(l);
      l.opts.onDrop(reason);
    },
    async closeAll() {
      if (live) await closeServer(live);
      live = undefined;
    },
  };
}
