import { toUploadable } from '../agent/openai-adapters';
import type { OpenAIHandle } from '../platform/openai';

/** Speech-to-text for a stored voice message. */
export interface RecordingTranscriber {
  transcribe(audio: Buffer, opts: { filename: string; mime: string; signal?: AbortSignal }): Promise<string>;
}

export interface OpenAiTranscriberOptions {
  /** From the app's one OpenAI factory (platform/openai.ts, use 'recording'). */
  client: OpenAIHandle;
  model: string;
}

/** Hebrew transcription through the official SDK (`audio.transcriptions.create`, language "he"). */
export class OpenAiRecordingTranscriber implements RecordingTranscriber {
  private readonly client: OpenAIHandle;

  constructor(private readonly opts: OpenAiTranscriberOptions) {
    this.client = opts.client;
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
