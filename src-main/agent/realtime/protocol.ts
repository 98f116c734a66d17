/**
 * OpenAI Realtime wire events ⇄ the port's events. Pure functions (no SDK at run time: the
 * imports are types only), unit-tested against the documented event shapes. Both the GA names
 * (`response.output_audio.delta`) and the beta names (`response.audio.delta`) are understood.
 */
import type {
  ConversationItemCreateEvent,
  ConversationItemTruncateEvent,
  RealtimeClientEvent,
  ResponseCreateEvent,
  SessionUpdateEvent,
} from 'openai/resources/realtime/realtime';
import type { RealtimeEvent, RealtimeVoiceConfig } from './port';

export function sessionUpdate(cfg: RealtimeVoiceConfig): SessionUpdateEvent {
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      model: cfg.model,
      instructions: cfg.instructions,
      output_modalities: ['audio'],
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          transcription: {
            model: cfg.transcription.model,
            language: cfg.transcription.language,
            ...(cfg.transcription.prompt ? { prompt: cfg.transcription.prompt } : {}),
          },
          turn_detection: {
            type: 'server_vad',
            silence_duration_ms: cfg.silenceMs,
            prefix_padding_ms: cfg.prefixPaddingMs,
            // The engine decides barge-in and asks for every answer itself (response.create), so
            // a "כן" over the agent neither cancels it nor gets an answer of its own.
            create_response: false,
            interrupt_response: false,
          },
        },
        output: { format: { type: 'audio/pcmu' }, voice: cfg.voice },
      },
      tools: cfg.tools.map((t) => ({
        type: 'function' as const,
        name: t.name,
        description: t.description,
        parameters: t.parameters,
      })),
      tool_choice: 'auto',
    },
  };
}

export const appendAudio = (mulaw: Buffer): RealtimeClientEvent => ({
  type: 'input_audio_buffer.append',
  audio: mulaw.toString('base64'),
});

export const createResponse = (instructions?: string): ResponseCreateEvent =>
  instructions ? { type: 'response.create', response: { instructions } } : { type: 'response.create' };

export const truncateItem = (itemId: string, audioEndMs: number): ConversationItemTruncateEvent => ({
  type: 'conversation.item.truncate',
  item_id: itemId,
  content_index: 0,
  audio_end_ms: Math.max(0, Math.round(audioEndMs)),
});

export const toolOutput = (callId: string, output: string): ConversationItemCreateEvent => ({
  type: 'conversation.item.create',
  item: { type: 'function_call_output', call_id: callId, output },
});

export const assistantText = (text: string): ConversationItemCreateEvent => ({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] },
});

type Raw = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** One server event → the port's event, or null for events a phone call does not need. */
export function mapServerEvent(raw: unknown): RealtimeEvent | null {
  if (!raw || typeof raw !== 'object') return null;
  const e = raw as Raw;
  switch (e.type) {
    case 'session.updated':
      return { type: 'ready' };
    case 'input_audio_buffer.speech_started':
      return { type: 'speech_started', itemId: str(e.item_id), audioStartMs: num(e.audio_start_ms) };
    case 'input_audio_buffer.speech_stopped':
      return { type: 'speech_stopped', itemId: str(e.item_id), audioEndMs: num(e.audio_end_ms) };
    case 'conversation.item.input_audio_transcription.completed':
      return { type: 'caller_transcript', itemId: str(e.item_id), text: str(e.transcript).trim() };
    case 'conversation.item.input_audio_transcription.failed': {
      const err = (e.error ?? {}) as Raw;
      return { type: 'caller_transcript_failed', itemId: str(e.item_id), message: str(err.message) };
    }
    case 'response.created': {
      const r = (e.response ?? {}) as Raw;
      return { type: 'response_started', responseId: str(r.id) };
    }
    case 'response.output_audio.delta':
    case 'response.audio.delta': {
      const delta = str(e.delta);
      if (!delta || delta.length % 4 !== 0 || !BASE64.test(delta)) return null;
      return {
        type: 'audio',
        responseId: str(e.response_id),
        itemId: str(e.item_id),
        audio: Buffer.from(delta, 'base64'),
      };
    }
    case 'response.output_audio.done':
    case 'response.audio.done':
      return { type: 'audio_done', responseId: str(e.response_id), itemId: str(e.item_id) };
    case 'response.output_audio_transcript.delta':
    case 'response.audio_transcript.delta':
      return {
        type: 'transcript_delta',
        responseId: str(e.response_id),
        itemId: str(e.item_id),
        text: str(e.delta),
      };
    case 'response.function_call_arguments.done':
      return {
        type: 'function_call',
        responseId: str(e.response_id),
        callId: str(e.call_id),
        name: str(e.name),
        arguments: str(e.arguments),
      };
    case 'response.done': {
      const r = (e.response ?? {}) as Raw;
      const details = (r.status_details ?? {}) as Raw;
      const status = str(r.status);
      return {
        type: 'response_done',
        responseId: str(r.id),
        status: (['completed', 'cancelled', 'failed', 'incomplete', 'in_progress'].includes(status)
          ? status
          : 'completed') as 'completed',
        reason: str(details.reason) || null,
      };
    }
    case 'error': {
      const err = (e.error ?? {}) as Raw;
      return { type: 'error', code: str(err.code) || str(err.type) || 'error', message: str(err.message) };
    }
    default:
      return null;
  }
}
