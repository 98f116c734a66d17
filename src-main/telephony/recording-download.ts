export interface DownloadOptions {
  /** RecordingUrl as Twilio sent it (without extension); `.wav` is appended. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Extra attempts after the first (default 2). */
  retries?: number;
  /** Delay before retry n is backoffMs × 2^(n-1) (default 1 s). */
  backoffMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; error: string; delayMs: number }) => void;
}

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** Twilio serves a recording as WAV when `.wav` is appended to its URL. */
export function wavUrl(recordingUrl: string): string {
  const u = new URL(recordingUrl);
  if (!/\.(wav|mp3)$/i.test(u.pathname)) u.pathname += '.wav';
  return u.toString();
}

/**
 * Downloads a Twilio recording with the account's credentials (HTTP basic auth), with a
 * timeout per attempt and retries with exponential backoff on network errors, 404 (the
 * recording may not be ready yet), 429 and 5xx. 401/403 and oversized files fail at once.
 */
export async function downloadRecording(o: DownloadOptions): Promise<{ audio: Buffer; contentType: string }> {
  const retries = o.retries ?? 2;
  const maxBytes = o.maxBytes ?? 20 * 1024 * 1024;
  const url = wavUrl(o.url);
  const auth = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString('base64')}`;
  let last: DownloadError | undefined;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (o.signal?.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted');
    try {
      const signal = o.signal
        ? AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs ?? 10_000)])
        : AbortSignal.timeout(o.timeoutMs ?? 10_000);
      const res = await fetch(url, {
        headers: { authorization: auth, accept: 'audio/wav, audio/*' },
        redirect: 'error',
        signal,
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        const retriable = res.status === 404 || res.status === 429 || res.status >= 500;
        throw new DownloadError(`recording download answered ${res.status}`, res.status, retriable);
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > maxBytes)
        throw new DownloadError(`recording too large (${declared} bytes)`, res.status, false);
      const audio = Buffer.from(await res.arrayBuffer());
      if (audio.length > maxBytes)
        throw new DownloadError(`recording too large (${audio.length} bytes)`, res.status, false);
      if (audio.length === 0) throw new DownloadError('recording is empty', res.status, true);
      return { audio, contentType: res.headers.get('content-type') ?? 'audio/wav' };
    } catch (err) {
      if (o.signal?.aborted) throw err;
      last =
        err instanceof DownloadError
          ? err
          : new DownloadError(
              err instanceof Error && err.name === 'TimeoutError'
                ? 'recording download timed out'
                : `recording download failed: ${err instanceof Error ? err.message : String(err)}`,
              null,
              true,
            );
      if (!last.retriable || attempt > retries) break;
      const delayMs = (o.backoffMs ?? 1000) * 2 ** (attempt - 1);
      o.onRetry?.({ attempt, error: last.message, delayMs });
      await sleep(delayMs, o.signal);
    }
  }
  throw last ?? new DownloadError('recording download failed', null, false);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });
}
