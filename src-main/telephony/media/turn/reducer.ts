/**
 * The pipeline call's turn-taking as one pure reducer: `reduce(state, event, io)` → the next state
 * and the effects to run. No I/O, no timers: time comes in on each event (`at`) and whether the
 * player still has audio comes in `io`. The pipeline engine executes the effects (ASR, LLM → TTS,
 * the player, the turn row) and feeds what happened back as events.
 *
 *   listening ─utterance end→ thinking ─transcript (words)→ thinking (answer) ─first piece→ speaking
 *      ↑  ↑                     │ caller goes on: merged (cancel, carry audio, index kept)   │
 *      │  └── no words / backchannel (resume a cleared answer) ──┘                          │
 *      └──────────── answer heard (idle) / barge-in (clear, hold) ←──────────────────────────┘
 *
 * Barge-in has three steps, after LiveKit's false-interruption resume: speech confirmed while the
 * agent talks *holds* the answer and *pauses* the line (nothing more is sent; the short lead the
 * player keeps while the caller talks plays out, so a real interruption is quiet within 400 ms of
 * its onset); speech that lasts (`sustained`, longer than any backchannel) or a transcript with
 * words makes it an interruption (clear, cancel, record the heard part), while a burst that stops
 * short of that (`burst_end`), no words or a backchannel ("כן", "אהה", "נכון"…) releases it: the
 * agent goes on from the next unsent frame — no `clear`, nothing lost or repeated.
 * A "כן"/"בסדר" said over the agent's closing question is its reply, not a backchannel: it is
 * kept and answered once the question was heard (or put in front of the caller's next words).
 * Preemptive generation: a speculative transcript during the end-of-turn window starts a held
 * answer at once; the turn's final transcript adopts it when equal, else it is cancelled (wasted).
 */
import {
  AGREEMENT,
  complete,
  confirmed,
  dropPreempt,
  interrupt,
  isBackchannel,
  NONE,
  release,
  same,
  startTurn,
  stopLine,
} from './steps';
import type { Answer, Floor, Reduced, TurnConfig, TurnEffect, TurnEvent, TurnIo, TurnState } from './types';

export type * from './types';
export { BACKCHANNEL, isBackchannel } from './steps';

export function initialTurnState(): TurnState {
  return {
    floor: 'greeting',
    ids: 0,
    indexes: 0,
    reserved: null,
    utterance: null,
    answer: null,
    bargeAt: null,
    paused: false,
    resumableAt: null,
    preempt: null,
    reply: null,
    wastedPreempts: 0,
    turnErrors: 0,
  };
}

/** One event → the next state and what to do. Never mutates `s`. */
export function reduce(s: TurnState, ev: TurnEvent, io: TurnIo, cfg: TurnConfig): Reduced {
  if (s.floor === 'ended') return { state: s, effects: NONE };
  if (ev.type === 'hangup') return stopAll(s, io, 'caller_hangup', 'ended');
  if (ev.type === 'ending' && ev.cut) return stopAll(s, io, undefined, 'ending');
  if (s.floor === 'ending' && ev.type !== 'idle' && ev.type !== 'piece_started' && ev.type !== 'answer_done')
    return { state: s, effects: NONE };
  switch (ev.type) {
    case 'greeting':
      return { state: { ...s, floor: io.busy ? 'greeting' : 'listening' }, effects: NONE };
    case 'ending':
      // The goodbye or transfer line must be heard: a line paused by a barge-in goes on.
      return {
        state: { ...s, floor: 'ending', paused: false },
        effects: s.paused ? [{ type: 'unpause' }] : NONE,
      };
    case 'confirmed':
      return confirmed(s, ev.at, io);
    case 'sustained':
      return interrupt(s, io);
    case 'burst_end':
      return release(s, io);
    case 'resume': {
      // The caller speaks again: a preemptive answer is void; over the agent it is a barge-in again.
      const r = s.preempt ? dropPreempt(s, []) : same(s);
      if (!io.busy || r.state.bargeAt != null) return r;
      const b = confirmed(r.state, ev.at, io);
      return { state: b.state, effects: [...r.effects, ...b.effects] };
    }
    case 'noise': {
      // A burst too short to be speech: a held answer goes on.
      const r = release(s, io);
      return s.preempt ? dropPreempt(r.state, r.effects) : r;
    }
    case 'utterance_end':
      return utteranceEnd(s, ev.speechEndAt, io);
    case 'speculative':
      return speculative(s, ev.text, cfg);
    case 'transcript':
      return transcript(s, ev, io, cfg);
    case 'tool':
      return s.answer?.id === ev.id
        ? { state: { ...s, answer: { ...s.answer, toolsRan: true } }, effects: NONE }
        : same(s);
    case 'answer_done':
      return answerDone(s, ev.id, ev.spoke, ev.ending, io);
    case 'answer_failed':
      return answerFailed(s, ev.id, ev.code, cfg);
    case 'piece_started': {
      const a = s.answer;
      if (!a || a.id !== ev.id || a.phase === 'speaking') return same(s);
      return {
        state: {
          ...s,
          answer: { ...a, phase: 'speaking' },
          floor: s.floor === 'ending' ? 'ending' : 'speaking',
        },
        effects: [{ type: 'speaking', id: a.id }],
      };
    }
    case 'idle':
      return idle(s, io);
    case 'deadline': {
      const a = s.answer;
      const waiting =
        (s.utterance?.id === ev.id && !a) || (a?.id === ev.id && a.phase === 'thinking' && !a.fillerPlayed);
      if (!waiting || io.busy || s.floor !== 'thinking') return same(s);
      return {
        state: a ? { ...s, answer: { ...a, fillerPlayed: true } } : s,
        effects: [{ type: 'filler', id: ev.id }],
      };
    }
  }
}

function utteranceEnd(s: TurnState, speechEndAt: number, io: TurnIo): Reduced {
  const id = s.ids + 1;
  const effects: TurnEffect[] = [];
  let next: TurnState = { ...s, ids: id, utterance: { id, speechEndAt } };
  if (s.utterance) effects.push({ type: 'cancel', id: s.utterance.id });
  const a = s.answer;
  // Over the agent's audio (not confirmed as a barge-in): the transcript decides.
  const overlap = !!a && !a.held && (io.busy || a.phase === 'speaking');
  if (a && !a.held && !overlap) {
    // A new utterance supersedes an answer still being prepared.
    effects.push({ type: 'cancel', id: a.id }, { type: 'record', id: a.id, interrupted: true });
    next = { ...next, answer: null };
  }
  next = { ...next, floor: overlap || (!a && io.busy && s.bargeAt == null) ? s.floor : 'thinking' };
  effects.push({ type: 'transcribe', id }, { type: 'arm_deadline', id, speechEndAt });
  if (s.preempt) next = { ...next, preempt: { ...s.preempt, id } };
  return { state: next, effects };
}

function speculative(s: TurnState, text: string, cfg: TurnConfig): Reduced {
  const t = text.trim();
  if (!cfg.preemptive || !t || s.preempt || s.answer || s.bargeAt != null || isBackchannel(t)) return same(s);
  const id = s.ids + 1;
  return { state: { ...s, preempt: { id, text: t } }, effects: [{ type: 'preempt', id, text: t }] };
}

function transcript(
  s: TurnState,
  ev: Extract<TurnEvent, { type: 'transcript' }>,
  io: TurnIo,
  cfg: TurnConfig,
): Reduced {
  const { id, at } = ev;
  if (s.utterance?.id !== id) return same(s);
  const said = ev.text.trim();
  let next: TurnState = { ...s, utterance: null };
  const fresh = s.resumableAt != null && at - s.resumableAt < cfg.resumeWithinMs;
  // Over the agent's audio (or its answer still on its way), "כן"/"אהה" is listening, not a turn.
  const overAgent = io.busy || (s.answer != null && !s.answer.held && !s.answer.done);
  if (!said || ((s.bargeAt != null || fresh || overAgent) && isBackchannel(said))) {
    // No words, or only "כן"/"אהה" over the agent: not a turn (a reply to its question waits for
    // the question to end). A cleared answer goes on.
    const r0 = s.preempt ? dropPreempt(next, []) : { state: next, effects: [] as TurnEffect[] };
    next = r0.state;
    if (said && ev.agentAsking && AGREEMENT.test(said)) next = { ...next, reply: { id, text: said } };
    if (s.bargeAt != null || fresh) {
      const r = release({ ...next, bargeAt: next.bargeAt ?? at }, io);
      return { state: r.state, effects: [...r0.effects, ...r.effects] };
    }
    if (next.reply && !next.answer && !io.busy)
      return startTurn({ ...next, reply: null }, next.reply.id, next.reply.text, r0.effects);
    const floor =
      io.busy || next.answer?.phase === 'speaking' ? 'speaking' : next.answer ? 'thinking' : 'listening';
    return { state: { ...next, floor }, effects: r0.effects };
  }
  // A reply kept from the agent's question goes in front of the caller's next words.
  const text = s.reply ? `${s.reply.text} ${said}` : said;
  next = { ...next, reply: null };
  const effects: TurnEffect[] = [];
  if (s.answer) {
    // Words over the agent: a real interruption (its audio stops now if it still plays).
    effects.push(...stopLine(s, io));
    effects.push({ type: 'cancel', id: s.answer.id }, { type: 'record', id: s.answer.id, interrupted: true });
    next = { ...next, answer: null };
  } else effects.push(...stopLine(s, io));
  next = { ...next, bargeAt: null, paused: false, resumableAt: null };
  return startTurn(next, id, text, effects);
}

function answerDone(
  s: TurnState,
  id: number,
  spoke: boolean,
  ending: 'end_call' | 'transfer' | null,
  io: TurnIo,
): Reduced {
  const a = s.answer;
  if (!a || a.id !== id) return same(s);
  const done: Answer = { ...a, done: true };
  const base = { ...s, answer: done, turnErrors: 0 };
  if (ending === 'end_call')
    return { state: base, effects: [{ type: 'end_call', id, reason: 'agent_end_call' }] };
  if (ending === 'transfer') return { state: base, effects: [{ type: 'transfer', id }] };
  if (!spoke)
    return {
      state: { ...base, answer: null, floor: s.floor === 'ending' ? 'ending' : 'listening' },
      effects: [{ type: 'record', id, interrupted: false }],
    };
  if (!io.busy && !a.held) return complete(base, done);
  return { state: base, effects: NONE };
}

function answerFailed(s: TurnState, id: number, code: string, cfg: TurnConfig): Reduced {
  const a = s.answer;
  const u = s.utterance;
  if (a?.id !== id && u?.id !== id) return same(s);
  const errors = s.turnErrors + 1;
  if (errors >= cfg.maxTurnErrors) {
    return {
      state: { ...s, turnErrors: errors, answer: null, utterance: null, floor: 'ending' },
      effects: [{ type: 'record', id, interrupted: false, errorCode: code }, { type: 'hand_over' }],
    };
  }
  // Say sorry and keep listening; the turn completes when the line was heard.
  const answer: Answer =
    a?.id === id
      ? { ...a, done: true }
      : {
          id,
          index: s.reserved ?? s.indexes,
          callerText: '',
          phase: 'thinking',
          toolsRan: false,
          done: true,
          fillerPlayed: false,
          held: false,
        };
  const indexes = a?.id === id ? s.indexes : s.reserved != null ? s.indexes : s.indexes + 1;
  return {
    state: {
      ...s,
      turnErrors: errors,
      answer,
      utterance: u?.id === id ? null : u,
      indexes,
      reserved: a?.id === id ? s.reserved : null,
    },
    effects: [{ type: 'sorry', id }],
  };
}

function idle(s: TurnState, io: TurnIo): Reduced {
  if (io.busy) return same(s);
  if (s.floor === 'greeting') return { state: { ...s, floor: 'listening' }, effects: NONE };
  const a = s.answer;
  if (a && a.done && !a.held && s.floor !== 'ending') return complete(s, a);
  if (s.floor === 'speaking' && !a)
    return { state: { ...s, floor: s.utterance ? 'thinking' : 'listening' }, effects: NONE };
  return same(s);
}

/** Everything stops: an unfinished answer is recorded as interrupted (with `errorCode`). */
function stopAll(s: TurnState, io: TurnIo, errorCode: string | undefined, floor: Floor): Reduced {
  const effects: TurnEffect[] = [];
  if (s.preempt) effects.push({ type: 'drop_preempt', id: s.preempt.id });
  if (s.utterance) effects.push({ type: 'cancel', id: s.utterance.id });
  const a = s.answer;
  if (a) {
    effects.push({ type: 'cancel', id: a.id });
    const unfinished = !a.done || io.busy || a.held;
    effects.push(
      unfinished
        ? { type: 'record', id: a.id, interrupted: true, ...(errorCode ? { errorCode } : {}) }
        : { type: 'record', id: a.id, interrupted: false },
    );
  }
  return {
    state: {
      ...s,
      floor,
      answer: null,
      utterance: null,
      preempt: null,
      reply: null,
      bargeAt: null,
      paused: false,
    },
    effects,
  };
}
