/**
 * OpenAI Realtime event mapping: the session.update the engine sends, the client events it
 * builds, and server events (GA and beta names) → the port's events.
 */
import { describe, expect, it } from 'vitest';
import {
  appendAudio,
  assistantText,
  createResponse,
  mapServerEvent,
  sessionUpdate,
  toolOutput,
  truncateItem,
} from '../../src-main/agent/realtime/protocol';

describe('realtime protocol: client events', () => {
  it('session.update: μ-law in and out, server VAD with the silence setting, Hebrew transcription, tools', () => {
    const ev = sessionUpdate({
      model: 'gpt-realtime',
      instructions: 'את/ה הנציג/ה',
      voice: 'marin',
      tools: [
        {
          name: 'end_call',
          description: 'סיום',
          parameters: { type: 'object', properties: { reason: { type: 'string' } } },
        },
      ],
      transcription: { model: 'gpt-4o-transcribe', language: 'he', prompt: 'מספרה' },
      silenceMs: 650,
      prefixPaddingMs: 300,
    });
    expect(ev).toEqual({
      type: 'session.update',
      session: {
        type: 'realtime',
        model: 'gpt-realtime',
        instructions: 'את/ה הנציג/ה',
        output_modalities: ['audio'],
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            transcription: { model: 'gpt-4o-transcribe', language: 'he', prompt: 'מספרה' },
            turn_detection: {
              type: 'server_vad',
              silence_duration_ms: 650,
              prefix_padding_ms: 300,
              create_response: false,
              interrupt_response: false,
            },
          },
          output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
        },
        tools: [
          {
            type: 'function',
            name: 'end_call',
            description: 'סיום',
            parameters: { type: 'object', properties: { reason: { type: 'string' } } },
          },
        ],
        tool_choice: 'auto',
      },
    });
  });

  it('append, response.create, truncate, tool output, assistant text', () => {
    expect(appendAudio(Buffer.from([0xff, 0x7f, 0x00]))).toEqual({
      type: 'input_audio_buffer.append',
      audio: '/38A',
    });
    expect(createResponse()).toEqual({ type: 'response.create' });
    expect(createResponse('ברך/י')).toEqual({ type: 'response.create', response: { instructions: 'ברך/י' } });
    expect(truncateItem('item_1', 1234.6)).toEqual({
      type: 'conversation.item.truncate',
      item_id: 'item_1',
      content_index: 0,
      audio_end_ms: 1235,
    });
    expect(truncateItem('item_1', -5).audio_end_ms).toBe(0);
    expect(toolOutput('call_9', '{"ok":true}')).toEqual({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_9', output: '{"ok":true}' },
    });
    expect(assistantText('שלום')).toEqual({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'שלום' }] },
    });
  });
});

describe('realtime protocol: server events', () => {
  it('maps VAD, transcription, response lifecycle, audio, transcript and function calls', () => {
    expect(mapServerEvent({ type: 'session.updated', session: {} })).toEqual({ type: 'ready' });
    expect(
      mapServerEvent({ type: 'input_audio_buffer.speech_started', audio_start_ms: 1200, item_id: 'i1' }),
    ).toEqual({ type: 'speech_started', itemId: 'i1', audioStartMs: 1200 });
    expect(
      mapServerEvent({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 2900, item_id: 'i1' }),
    ).toEqual({ type: 'speech_stopped', itemId: 'i1', audioEndMs: 2900 });
    expect(
      mapServerEvent({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: 'i1',
        content_index: 0,
        transcript: ' כמה עולה תספורת? ',
      }),
    ).toEqual({ type: 'caller_transcript', itemId: 'i1', text: 'כמה עולה תספורת?' });
    expect(
      mapServerEvent({
        type: 'conversation.item.input_audio_transcription.failed',
        item_id: 'i1',
        error: { message: 'boom' },
      }),
    ).toEqual({ type: 'caller_transcript_failed', itemId: 'i1', message: 'boom' });
    expect(
      mapServerEvent({ type: 'response.created', response: { id: 'r1', status: 'in_progress' } }),
    ).toEqual({ type: 'response_started', responseId: 'r1' });
    const audio = Buffer.from([1, 2, 3, 4, 5, 6]);
    for (const type of ['response.output_audio.delta', 'response.audio.delta'])
      expect(
        mapServerEvent({ type, response_id: 'r1', item_id: 'a1', delta: audio.toString('base64') }),
      ).toEqual({ type: 'audio', responseId: 'r1', itemId: 'a1', audio });
    expect(mapServerEvent({ type: 'response.output_audio.done', response_id: 'r1', item_id: 'a1' })).toEqual({
      type: 'audio_done',
      responseId: 'r1',
      itemId: 'a1',
    });
    for (const type of ['response.output_audio_transcript.delta', 'response.audio_transcript.delta'])
      expect(mapServerEvent({ type, response_id: 'r1', item_id: 'a1', delta: 'שלום ' })).toEqual({
        type: 'transcript_delta',
        responseId: 'r1',
        itemId: 'a1',
        text: 'שלום ',
      });
    expect(
      mapServerEvent({
        type: 'response.function_call_arguments.done',
        response_id: 'r1',
        item_id: 'f1',
        call_id: 'call_1',
        name: 'book_appointment',
        arguments: '{"time":"10:00"}',
      }),
    ).toEqual({
      type: 'function_call',
      responseId: 'r1',
      callId: 'call_1',
      name: 'book_appointment',
      arguments: '{"time":"10:00"}',
    });
    expect(
      mapServerEvent({
        type: 'response.done',
        response: {
          id: 'r1',
          status: 'cancelled',
          status_details: { type: 'cancelled', reason: 'turn_detected' },
        },
      }),
    ).toEqual({ type: 'response_done', responseId: 'r1', status: 'cancelled', reason: 'turn_detected' });
    expect(mapServerEvent({ type: 'response.done', response: { id: 'r2', status: 'completed' } })).toEqual({
      type: 'response_done',
      responseId: 'r2',
      status: 'completed',
      reason: null,
    });
    expect(
      mapServerEvent({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code: 'response_cancel_not_active',
          message: 'no active response',
        },
      }),
    ).toEqual({ type: 'error', code: 'response_cancel_not_active', message: 'no active response' });
  });

  it('ignores what a phone call does not need, and malformed events', () => {
    for (const raw of [
      null,
      'text',
      42,
      {},
      { type: 'rate_limits.updated', rate_limits: [] },
      { type: 'response.output_item.added', item: {} },
      { type: 'conversation.item.truncated', item_id: 'x' },
      { type: 'response.output_audio.delta', response_id: 'r', item_id: 'a', delta: '' },
      { type: 'response.output_audio.delta', response_id: 'r', item_id: 'a', delta: 'not base64!' },
    ])
      expect(mapServerEvent(raw)).toBeNull();
    // Missing fields degrade to empty values, never throw.
    expect(mapServerEvent({ type: 'input_audio_buffer.speech_started' })).toEqual({
      type: 'speech_started',
      itemId: '',
      audioStartMs: 0,
    });
    expect(mapServerEvent({ type: 'response.done' })).toEqual({
      type: 'response_done',
      responseId: '',
      status: 'completed',
      reason: null,
    });
  });
});
