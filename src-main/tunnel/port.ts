/**
 * What the tunnel service needs from a tunnel provider: open one forwarding listener and say
 * when it drops. The ngrok SDK sits behind it (ngrok-connector.ts); tests inject a local one.
 */
export interface TunnelOpenOptions {
  authtoken: string;
  /** Where traffic is forwarded, e.g. `http://127.0.0.1:5050`. */
  forwardTo: string;
  /** A reserved domain (e.g. `shop.ngrok.app`); none = whatever the account gives. */
  domain?: string;
  /** Called once if the connection is lost after it was opened. */
  onDrop(reason: string): void;
}

export interface TunnelHandle {
  /** The public URL, e.g. `https://shop.ngrok.app`. */
  readonly url: string;
  close(): Promise<void>;
}

export interface TunnelConnector {
  open(opts: TunnelOpenOptions): Promise<TunnelHandle>;
}

/** A refused connection, classified so the owner is told what to fix. */
export class TunnelError extends Error {
  constructor(
    readonly kind: 'auth' | 'domain' | 'network' | 'other',
    message: string,
  ) {
    super(message);
  }
}
