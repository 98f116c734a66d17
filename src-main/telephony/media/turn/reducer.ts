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
 * Preemptive generation: a speculative transcript during the end-of-turn window starts a held
 * answer at once; the turn's final transcript adopts it when equal, else it is cancelled (wasted).
 */
import { isGoodbye } from '../../../agent/goodbye';

export type Floor = 'greeting' | 'listening' | 'thinking' | 'speaking' | 'ending' | 'ended';

/** The caller utterance being transcribed (`id` keys the engine's own record of it). */
export interface Utterance {
  id: number;
  speechEndAt: number;
}

/** The agent's answer to one caller turn. */
export interface Answer {
  id: number;
  /** The turn row's index (taken when the transcript had words; never rewound). */
  index: number;
  callerText: string;
  phase: 'thinking' | 'speaking';
  toolsRan: boolean;
  done: boolean;
  fillerPlayed: boolean;
  /** Barge-in pending: its audio was cleared and nothing more plays until released. */
  held: boolean;
}

export interface TurnState {
  floor: Floor;
  /** Utterance ids handed out. */
  ids: number;
  /** Turn indexes handed out. */
  indexes: number;
  /** The index of a turn the caller went on from, for the merged turn. */
  reserved: number | null;
  utterance: Utterance | null;
  answer: Answer | null;
  /** The caller's speech was confirmed while the agent talked (ms, monotonic); null when resolved. */
  bargeAt: number | null;
  /** That barge-in paused the line (nothing more is sent until it is resolved). */
  paused: boolean;
  /** Cleared agent audio that a false interruption may resume (until at + resumeWithinMs). */
  resumableAt: number | null;
  /** An answer started on a speculative transcript, not yet adopted. */
  preempt: { id: number; text: string } | null;
  wastedPreempts: number;
  turnErrors: number;
}

export interface TurnConfig {
  resumeWithinMs: number;
  maxTurnErrors: number;
  preemptive: boolean;
}

export type TurnEvent =
  | { type: 'greeting'; at: number }
  | { type: 'confirmed'; at: number }
  /** Voiced audio of the current speech passed the interruption length while a barge-in is pending. */
  | { type: 'sustained'; at: number }
  /** The caller's speech over the agent stopped (a short silence) before it was an interruption. */
  | { type: 'burst_end'; at: number }
  | { type: 'resume'; at: number }
  | { type: 'noise'; at: number }
  | { type: 'utterance_end'; at: number; speechEndAt: number }
  | { type: 'speculative'; at: number; text: string }
  | { type: 'transcript'; at: number; id: number; text: string }
  | { type: 'tool'; at: number; id: number }
  | { type: 'answer_done'; at: number; id: number; spoke: boolean; ending: 'end_call' | 'transfer' | null }
  | { type: 'answer_failed'; at: number; id: number; code: string }
  | { type: 'piece_started'; at: number; id: number }
  | { type: 'idle'; at: number }
  | { type: 'deadline'; at: number; id: number }
  /** The session ends the call; `cut`: the agent's current answer stops now (owner hang-up, transfer). */
  | { type: 'ending'; at: number; cut?: boolean }
  | { type: 'hangup'; at: number };

export type TurnEffect =
  | { type: 'transcribe'; id: number }
  | { type: 'arm_deadline'; id: number; speechEndAt: number }
  | { type: 'answer'; id: number; index: number; text: string; goodbye: boolean }
  /** Start an answer on a speculative transcript, held (nothing plays). */
  | { type: 'preempt'; id: number; text: string }
  /** The preemptive answer becomes turn `id`'s answer and is released. */
  | { type: 'adopt'; id: number; preemptId: number; index: number; text: string }
  | { type: 'drop_preempt'; id: number }
  | { type: 'clear' }
  /** Nothing more is sent to the caller until `unpause` (or a clear). */
  | { type: 'pause' }
  | { type: 'unpause' }
  | { type: 'release'; id: number }
  | { type: 'resume_cleared' }
  | { type: 'cancel'; id: number }
  /** The caller went on: utterance `id`'s audio goes in front of the next one. */
  | { type: 'merge'; id: number; rollback: string | null }
  | { type: 'speaking'; id: number }
  | { type: 'filler'; id: number }
  | { type: 'sorry'; id: number }
  | { type: 'complete'; id: number }
  | { type: 'record'; id: number; interrupted: boolean; errorCode?: string }
  | { type: 'end_call'; id: number; reason: 'goodbye' | 'agent_end_call' }
  | { type: 'transfer'; id: number }
  | { type: 'hand_over' };

export interface TurnIo {
  /** The player has agent audio queued or not yet heard. */
  busy: boolean;
}

/** Backchannels while the agent talks: not an interruption ("כן", "אהה", "אוקיי" …). */
export const BACKCHANNEL =
  /^(כן|אה+|אהה+|אמ+|מ+|ממ+|הממ+|אוקיי?|או?קיי|נכון|בסדר|יופי|טוב|uh-?huh|ok(ay)?)([.!,…\s]+(כן|נכון|בסדר|אוקיי|טוב))*[.!,…]*$/i;

export const isBackchannel = (text: string): boolean => BACKCHANNEL.test(text.trim());

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
    wastedPreempts: 0,
    turnErrors: 0,
  };
}

export interface Reduced {
  state: TurnState;
  effects: TurnEffect[];
}

const NONE: TurnEffect[] = [];

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
      return { state: { ...s, floor: 'ending' }, effects: NONE };
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
      return transcript(s, ev.id, ev.text, ev.at, io, cfg);
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

const same = (s: TurnState): Reduced => ({ state: s, effects: NONE });

function confirmed(s: TurnState, at: number, io: TurnIo): Reduced {
  const a = s.answer;
  const u = s.utterance;
  if (!io.busy && !s.bargeAt && ((u && !a) || (a && a.phase === 'thinking' && !a.toolsRan && !a.held))) {
    // The caller went on talking before we answered: drop this answer and hear it all as one.
    const id = a?.id ?? u!.id;
    const effects: TurnEffect[] = [
      { type: 'cancel', id },
      { type: 'merge', id, rollback: a ? a.callerText : null },
    ];
    if (u && a && u.id !== a.id) effects.unshift({ type: 'cancel', id: u.id });
    return {
      state: { ...s, utterance: null, answer: null, reserved: a ? a.index : s.reserved, floor: 'listening' },
      effects,
    };
  }
  if (io.busy || a?.phase === 'speaking') {
    // Barge-in: the answer is held and the line paused until the caller's speech says whether
    // it was an interruption.
    return {
      state: {
        ...s,
        bargeAt: at,
        paused: io.busy,
        resumableAt: at,
        answer: a ? { ...a, held: true } : null,
        floor: 'listening',
      },
      effects: io.busy ? [{ type: 'pause' }] : NONE,
    };
  }
  return same(s);
}

/** The barge-in is real: cancel the held answer, record what the caller heard. */
function interrupt(s: TurnState, io: TurnIo): Reduced {
  const a = s.answer;
  if (s.bargeAt == null) return same(s);
  const clear: TurnEffect[] = io.busy ? [{ type: 'clear' }] : [];
  if (!a?.held) return { state: { ...s, bargeAt: null, paused: false }, effects: clear };
  return {
    state: { ...s, answer: null, bargeAt: null, paused: false },
    effects: [...clear, { type: 'cancel', id: a.id }, { type: 'record', id: a.id, interrupted: true }],
  };
}

/** A false barge-in: the line goes on, and the held answer (and any cleared audio) with it. */
function release(s: TurnState, io: TurnIo): Reduced {
  if (s.bargeAt == null) return same(s);
  const a = s.answer;
  const effects: TurnEffect[] = s.paused ? [{ type: 'unpause' }] : [];
  effects.push({ type: 'resume_cleared' });
  if (a?.held) effects.push({ type: 'release', id: a.id });
  const next: TurnState = {
    ...s,
    bargeAt: null,
    paused: false,
    resumableAt: null,
    answer: a ? { ...a, held: false } : null,
    floor: a && a.phase === 'thinking' ? 'thinking' : 'speaking',
  };
  // Everything of a finished answer was heard before the caller's burst: the answer is complete.
  if (a && a.done && !io.busy) {
    const c = complete(next, next.answer!);
    return { state: c.state, effects: [...effects, ...c.effects] };
  }
  return { state: next, effects };
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

function dropPreempt(s: TurnState, effects: TurnEffect[]): Reduced {
  if (!s.preempt) return { state: s, effects };
  return {
    state: { ...s, preempt: null, wastedPreempts: s.wastedPreempts + 1 },
    effects: [...effects, { type: 'drop_preempt', id: s.preempt.id }],
  };
}

function transcript(s: TurnState, id: number, raw: string, at: number, io: TurnIo, cfg: TurnConfig): Reduced {
  if (s.utterance?.id !== id) return same(s);
  const text = raw.trim();
  let next: TurnState = { ...s, utterance: null };
  const fresh = s.resumableAt != null && at - s.resumableAt < cfg.resumeWithinMs;
  // Over the agent's audio (or its answer still on its way), "כן"/"אהה" is listening, not a turn.
  const overAgent = io.busy || (s.answer != null && !s.answer.held && !s.answer.done);
  if (!text || ((s.bargeAt != null || fresh || overAgent) && isBackchannel(text))) {
    // No words, or only "כן"/"אהה" over the agent: not a turn. A cleared answer goes on.
    const r0 = s.preempt ? dropPreempt(next, []) : { state: next, effects: [] as TurnEffect[] };
    next = r0.state;
    if (s.bargeAt != null || fresh) {
      const r = release({ ...next, bargeAt: next.bargeAt ?? at }, io);
      return { state: r.state, effects: [...r0.effects, ...r.effects] };
    }
    const floor =
      io.busy || next.answer?.phase === 'speaking' ? 'speaking' : next.answer ? 'thinking' : 'listening';
    return { state: { ...next, floor }, effects: r0.effects };
  }
  const effects: TurnEffect[] = [];
  if (s.answer) {
    // Words over the agent: a real interruption (its audio stops now if it still plays).
    if (io.busy) effects.push({ type: 'clear' });
    effects.push({ type: 'cancel', id: s.answer.id }, { type: 'record', id: s.answer.id, interrupted: true });
    next = { ...next, answer: null };
  } else if (io.busy) effects.push({ type: 'clear' });
  next = { ...next, bargeAt: null, paused: false, resumableAt: null };
  const index = s.reserved ?? s.indexes;
  next = { ...next, reserved: null, indexes: s.reserved != null ? s.indexes : s.indexes + 1 };
  const answer: Answer = {
    id,
    index,
    callerText: text,
    phase: 'thinking',
    toolsRan: false,
    done: false,
    fillerPlayed: false,
    held: false,
  };
  next = { ...next, answer, floor: 'thinking' };
  if (s.preempt && s.preempt.text === text && !isGoodbye(text)) {
    effects.push({ type: 'adopt', id, preemptId: s.preempt.id, index, text });
    return { state: { ...next, preempt: null }, effects };
  }
  const dropped = dropPreempt(next, effects);
  dropped.effects.push({ type: 'answer', id, index, text, goodbye: isGoodbye(text) });
  return dropped;
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

function complete(s: TurnState, a: Answer): Reduced {
  return {
    state: { ...s, answer: null, floor: s.floor === 'ending' ? 'ending' : 'listening' },
    effects: [{ type: 'complete', id: a.id }],
  };
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
    state: { ...s, floor, answer: null, utterance: null, preempt: null, bargeAt: null, paused: false },
    effects,
  };
}
