import type { CallTurn } from '../../api/contract/calls';
import type { Logger } from '../../platform/logger';
import type { CallRepository } from '../call-repository';
import type { LiveTurn } from './types';

/**
 * When each stage of a turn's critical path was reached, on the monotonic clock (absent = not
 * on this turn's path): the VAD's end-of-turn decision, transcript ready, LLM request sent, first
 * text from the LLM, first speakable clause (sent to TTS), first clause's audio ready, first
 * outbound frame of the answer.
 */
export interface TurnStageMarks {
  /**
   * The speculative transcript (during the pause) requested and arrived; with preemptive
   * generation the answer starts on it, so these and the LLM/TTS marks can precede endOfTurn.
   */
  speculated?: number;
  speculativeTranscript?: number;
  endOfTurn?: number;
  transcript?: number;
  llmStart?: number;
  llmFirstToken?: number;
  firstClause?: number;
  ttsFirstAudio?: number;
  firstFrame?: number;
}

/** The stage marks as milliseconds after the caller's speech ended (0.1 ms steps), for the metrics line. */
export function stageOffsets(speechEndAt: number, marks: TurnStageMarks): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(marks))
    if (typeof v === 'number') out[k] = Math.round((v - speechEndAt) * 10) / 10;
  return out;
}

/** One finished turn, as either engine measured it (milliseconds; null = not on this turn's path). */
export interface FinishedTurn {
  index: number;
  engine: string;
  callerText: string;
  /** What the caller heard: for an interrupted answer, only its heard part. */
  agentText: string;
  interrupted: boolean;
  errorCode: string | null;
  ms: {
    vad: number | null;
    asr: number | null;
    nlp: number | null;
    tts: number | null;
    firstAudio: number | null;
    total: number | null;
  };
  /** Stage marks in ms after the speech end (stageOffsets), where the engine records them. */
  stages?: Record<string, number>;
  /** Preemptive generation: this answer was started on the speculative transcript; LLM requests dropped since the last turn. */
  llm?: { preemptive: boolean; wasted: number };
}

export interface TurnRecordTarget {
  log: Logger;
  calls: Pick<CallRepository, 'insertTurn'>;
  callSid: string;
  callId: number | null | undefined;
  businessId: number;
  publishTurn(t: LiveTurn): void;
}

/** The per-turn record both engines write: a `turn_metrics` log line, a call_turns row, a live event. */
export function recordTurn(target: TurnRecordTarget, turn: FinishedTurn): void {
  const row = {
    tVadMs: turn.ms.vad,
    tAsrMs: turn.ms.asr,
    tNlpMs: turn.ms.nlp,
    tTtsMs: turn.ms.tts,
    tFirstAudioMs: turn.ms.firstAudio,
    tTotalMs: turn.ms.total,
  };
  target.log.info(
    {
      event: 'turn_metrics',
      call_sid: target.callSid,
      business_id: target.businessId,
      turn_index: turn.index,
      mode: 'stream',
      engine: turn.engine,
      caller_text: turn.callerText,
      agent_text: turn.agentText,
      t_vad_ms: row.tVadMs,
      t_asr_ms: row.tAsrMs,
      t_nlp_ms: row.tNlpMs,
      t_tts_ms: row.tTtsMs,
      t_first_audio_ms: row.tFirstAudioMs,
      t_total_ms: row.tTotalMs,
      ...(turn.stages ? { stages_ms: turn.stages } : {}),
      ...(turn.llm ? { llm_preemptive: turn.llm.preemptive, llm_wasted: turn.llm.wasted } : {}),
      interrupted: turn.interrupted,
      error_code: turn.errorCode,
    },
    'turn_metrics',
  );
  if (target.callId == null) return;
  try {
    const saved: CallTurn = target.calls.insertTurn({
      callId: target.callId,
      callSid: target.callSid,
      businessId: target.businessId,
      turnIndex: turn.index,
      mode: 'stream',
      callerText: turn.callerText,
      agentText: turn.agentText,
      ...row,
      interrupted: turn.interrupted,
      errorCode: turn.errorCode,
    });
    target.publishTurn({ ...saved, callSid: target.callSid, state: 'done' });
  } catch (err) {
    target.log.error({ err }, 'turn row not saved');
  }
}
