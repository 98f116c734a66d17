import type { toFile as ToFile } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { mulawDecode } from '../audio/mulaw';
import { pcm16ToBuffer } from '../audio/pcm';
import { toPhoneMulaw } from '../audio/convert';
import { buildWavPcm16 } from '../audio/wav';
import type {
  AgentMessage,
  ChatDelta,
  ChatModel,
  Synthesizer,
  ToolCall,
  ToolSpec,
  Transcriber,
} from './ports';
import type { OpenAIHandle } from '../platform/openai';

let toFileLoaded: Promise<typeof ToFile> | undefined;

/** The SDK's multipart file helper, loaded with the SDK once (not a dynamic import per upload). */
export async function toUploadable(data: Buffer, name: string, type: string) {
  const toFile = await (toFileLoaded ??= import('openai').then(
    (m) => m.toFile,
    (err: unknown) => {
      toFileLoaded = undefined;
      throw err;
    },
  ));
  return toFile(data, name, { type });
}

function toOpenAIMessages(messages: AgentMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    if (m.role === 'assistant') {
      return {
        role: 'assistant',
        content: m.content,
        ...(m.toolCalls?.length
          ? {
              tool_calls: m.toolCalls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : {}),
      };
    }
    return { role: m.role, content: m.content };
  });
}

export class OpenAIChatModel implements ChatModel {
  constructor(
    private readonly client: OpenAIHandle,
    private readonly model: () => string,
  ) {}

  async *stream(req: {
    messages: AgentMessage[];
    tools: ToolSpec[];
    signal: AbortSignal;
  }): AsyncIterable<ChatDelta> {
    const tools: ChatCompletionTool[] = req.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
    const stream = await (
      await this.client()
    ).chat.completions.create(
      {
        model: this.model(),
        messages: toOpenAIMessages(req.messages),
        stream: true,
        temperature: 0.4,
        max_completion_tokens: 300,
        ...(tools.length ? { tools, parallel_tool_calls: true } : {}),
      },
      { signal: req.signal, maxRetries: 0 },
    );
    const pending = new Map<number, ToolCall>();
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      const d = choice.delta;
      if (d?.content) yield { type: 'text', text: d.content };
      for (const tc of d?.tool_calls ?? []) {
        const cur = pending.get(tc.index) ?? { id: '', name: '', arguments: '' };
        if (tc.id) cur.id = tc.id;
        if (tc.function?.name) cur.name += tc.function.name;
        if (tc.function?.arguments) cur.arguments += tc.function.arguments;
        pending.set(tc.index, cur);
      }
      if (choice.finish_reason) break;
    }
    for (const [, call] of [...pending.entries()].sort((a, b) => a[0] - b[0])) {
      if (call.name) yield { type: 'tool_call', call: { ...call, id: call.id || `call_${call.name}` } };
    }
  }

  async complete(req: { messages: AgentMessage[]; json?: boolean; signal?: AbortSignal }): Promise<string> {
    const res = await (
      await this.client()
    ).chat.completions.create(
      {
        model: this.model(),
        messages: toOpenAIMessages(req.messages),
        temperature: 0.2,
        ...(req.json ? { response_format: { type: 'json_object' as const } } : {}),
      },
      { signal: req.signal },
    );
    return res.choices[0]?.message?.content ?? '';
  }
}

export class OpenAITranscriber implements Transcriber {
  constructor(
    private readonly client: OpenAIHandle,
    private readonly model: () => string,
  ) {}

  async transcribe(mulaw: Buffer, opts: { prompt?: string; signal?: AbortSignal }): Promise<string> {
    const wav = buildWavPcm16(pcm16ToBuffer(mulawDecode(mulaw)), 8000);
    const res = await (
      await this.client()
    ).audio.transcriptions.create(
      {
        file: await toUploadable(wav, 'turn.wav', 'audio/wav'),
        model: this.model(),
        language: 'he',
        response_format: 'json',
        ...(opts.prompt ? { prompt: opts.prompt } : {}),
      },
      { signal: opts.signal, maxRetries: 0, timeout: 10_000 },
    );
    return (res.text ?? '').trim();
  }
}

/** OpenAI TTS, the fallback when Google has no credentials: raw 24 kHz PCM16 → 8 kHz μ-law. */
export class OpenAISpeech implements Synthesizer {
  readonly name = 'openai';
  constructor(
    private readonly client: OpenAIHandle,
    private readonly model: () => string,
    private readonly voice: () => string,
  ) {}

  async synthesize(text: string, opts: { voice: string; signal?: AbortSignal }): Promise<Buffer> {
    const res = await (
      await this.client()
    ).audio.speech.create(
      { model: this.model(), voice: this.voice(), input: text, response_format: 'pcm' },
      { signal: opts.signal, maxRetries: 0, timeout: 10_000 },
    );
    const body = Buffer.from(await res.arrayBuffer());
    return toPhoneMulaw(body, { encoding: 'pcm16', sampleRate: 24_000 });
  }
}
