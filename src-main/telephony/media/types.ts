/**
 * The call session's shared shapes: its states, the live turn the monitor sees, and the ports
 * the session is handed (transport, listen-in tap, Twilio call control). Engines, the turn
 * recorder and the registry import these, never the session itself (no import cycles).
 */
import type { CallTurn } from '../../api/contract/calls';

export type SessionState =
  'connecting' | 'greeting' | 'listening' | 'thinking' | 'speaking' | 'ending' | 'ended';

/** Where outbound messages go: the Twilio WebSocket, or another transport (test call). */
export interface MediaTransport {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

/** Listen-in: a copy of the call's audio (base64 μ-law 20 ms frames); set only while someone listens. */
export interface AudioTap {
  inbound(payloadB64: string): void;
  outbound(payloadB64: string): void;
  /** The agent's queued audio was dropped (barge-in). */
  clear(): void;
}

/** Twilio REST actions on the live call. */
export interface CallControl {
  hangup(callSid: string): Promise<'ok' | 'already_ended'>;
  redirect(callSid: string, twiml: string): Promise<'ok' | 'already_ended'>;
}

export interface LiveTurn extends CallTurn {
  callSid: string;
  state: 'thinking' | 'speaking' | 'done';
}
