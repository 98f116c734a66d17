/**
 * Short-lived signed public URLs for outbound media: Twilio fetches `mediaUrl` itself, so a
 * file the owner sends is offered at `https://<public host>/media/whatsapp/<token>` for two
 * hours. The token names one outbound message (its client id) and an expiry, HMAC-SHA256
 * signed with a per-install random key; the route serves only that message's stored file.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MEDIA_ROUTE = '/media/whatsapp';
export const MEDIA_URL_TTL_MS = 2 * 60 * 60 * 1000;

export class MediaUrlSigner {
  constructor(
    private readonly key: () => Buffer,
    private readonly now: () => number,
  ) {}

  token(clientId: string, ttlMs = MEDIA_URL_TTL_MS): string {
    const payload = `${clientId}.${(this.now() + ttlMs).toString(36)}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /** The client id a valid, unexpired token names; null otherwise. */
  verify(token: string): string | null {
    const m = /^([A-Za-z0-9]{8,40})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const want = Buffer.from(this.sign(`${m[1]}.${m[2]}`));
    const got = Buffer.from(m[3]!);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    if (parseInt(m[2]!, 36) < this.now()) return null;
    return m[1]!;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key()).update(payload).digest('base64url');
  }
}
