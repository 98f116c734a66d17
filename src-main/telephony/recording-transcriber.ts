import { createOpenAI, toUploadable, type OpenAIHandle } from '../agent/openai-adapters';

/** Speech-to-text for a stored voice message. */
export interface RecordingTranscriber {
  transcribe(audio: Buffer, opts: { filename: string; mime: string; signal?: AbortSignal }): Promise<string>;
}

export interface OpenAiTranscriberOptions {
  apiKey: string;
  /** OPENAI_BASE_URL (…/v1); the SDK default when undefined. */
  baseURL?: string;
  model: string;
  timeoutMs?: number;
}

/** Hebrew transcription through the official SDK (`audio.transcriptions.create`, language "he"). */
export class OpenAiRecordingTranscriber implements RecordingTranscriber {
  private readonly client: OpenAIHandle;

  constructor(private readonly opts: OpenAiTranscriberOptions) {
    this.client = createOpenAI({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL,
      timeoutMs: opts.timeoutMs ?? 30_000,
      // The job runner owns retries (with backoff that survives a restart).
      maxRetries: 0,
    });
  }

  async transcribe(
    audio: Buffer,
    o: { filename: string; mime: string; signal?: AbortSignal },
  ): Promise<string> {
    const file = await toUploadable(audio, o.filename, o.mime);
    const res = await (
      await this.client()
    ).audio.transcriptions.create(
      { file, model: this.opts.model, language: 'he', response_format: 'json' },
      { signal: o.signal },
    );
    return res.text ?? '';
  }
}
