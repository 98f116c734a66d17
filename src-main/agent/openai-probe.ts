import type { OpenAIClients } from '../platform/openai';

export type ProbeResult = 'ok' | 'fail';

/**
 * Is this OpenAI key accepted? One cheap authenticated request (`GET /models`, first page),
 * remembered per key and endpoint — a good answer for five minutes, a failure for thirty
 * seconds — so `/readyz` and the settings screen can ask as often as they like.
 */
export class OpenAIKeyProbe {
  private last: { key: string; at: number; result: Promise<ProbeResult> } | undefined;

  constructor(
    private readonly opts: {
      clients: OpenAIClients;
      now: () => number;
      okTtlMs?: number;
      failTtlMs?: number;
      timeoutMs?: number;
    },
  ) {}

  check(apiKey: string): Promise<ProbeResult> {
    const key = `${apiKey}|${this.opts.clients.identity() ?? ''}`;
    const now = this.opts.now();
    const last = this.last;
    if (last && last.key === key) {
      const fresh = last.result.then((r) => {
        const ttl = r === 'ok' ? (this.opts.okTtlMs ?? 300_000) : (this.opts.failTtlMs ?? 30_000);
        return now - last.at < ttl;
      });
      return fresh.then((ok) => (ok ? last.result : this.run(key, apiKey, now)));
    }
    return this.run(key, apiKey, now);
  }

  private run(key: string, apiKey: string, now: number): Promise<ProbeResult> {
    const result = (async (): Promise<ProbeResult> => {
      try {
        const client = await this.opts.clients.forKey(apiKey, 'check', {
          timeoutMs: this.opts.timeoutMs ?? 5000,
        })();
        await client.models.list();
        return 'ok';
      } catch {
        return 'fail';
      }
    })();
    this.last = { key, at: now, result };
    return result;
  }
}
