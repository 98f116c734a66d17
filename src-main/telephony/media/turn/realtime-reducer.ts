/**
 * The OpenAI Realtime call's turn-taking as one pure reducer, beside the pipeline's (reducer.ts):
 * `reduceRealtime(state, event, io)` → the next state and the effects to run. The model owns
 * end of turn (server VAD) and the answer; this reducer owns the floor, which caller items make
 * one turn, which response answers it, barge-in, and when a turn is recorded. No I/O, no timers:
 * time comes in on each event, whether the player still has agent audio in `io`.
 *
 *   greeting ─greeting heard / connected, nothing playing→ listening
 *   listening ─speech_stopped→ thinking (response.create) ─response audio starts→ speaking
 *      ─answer heard (idle)→ listening
 *      ↑ speech_started while agent audio plays → a pending barge-in: the line *pauses*; the
 *        caller's voiced audio ≥ interruptMs or a transcript with words (not a backchannel) →
 *        the real barge-in (clear, cancel, truncate, record heard part, the new turn answered);
 *        a burst over (burstEndMs quiet, or speech_stopped) → the line goes on; a backchannel or
 *        empty transcript → forgotten (never answered: the server creates no response itself)
 *      └ speech_started before any answer audio → response cancelled, items merged into one turn
 *   a response with tools → tool results → a follow-up response (same turn); end_call / transfer /
 *   a goodbye → ending; hang-up → ended (the open turn recorded).
 */
import { isGoodbye } from '../../../agent/goodbye';
import type { ToolCall } from '../../../agent/ports';
import { TIMING } from '../session-config';
import type { Floor } from './reducer';
import { AGREEMENT, isBackchannel } from './steps';

/** The caller turn being answered (`id` is also its turn row's index). */
export interface RtTurnState {
  id: number;
  /** The server VAD's caller items that make this turn (merged when the caller went on). */
  items: string[];
  phase: 'listening' | 'thinking' | 'speaking';
  /** Answer audio of this turn went to the player. */
  played: boolean;
  goodbye: boolean;
  /** Tool results sent: the model's follow-up answer belongs to this turn too. */
  followUp: boolean;
}

/** The model's current response. */
export interface RtResponseState {
  id: string;
  /** The turn it answers (null: the model's own greeting or an unprompted line). */
  turn: number | null;
  audio: boolean;
  tools: number;
  done: boolean;
  cancelled: boolean;
}

/** Caller speech over the agent's audio, not yet known to be an interruption. */
export interface RtBarge {
  /** The server VAD's items of this speech (none is a turn yet). */
  items: string[];
  /** speech_started of the first item. */
  at: number;
  /** The line is paused (undecided); false: released, waiting for the words. */
  paused: boolean;
  /** speech_stopped came for the last item (its audio_end_ms). */
  stopped: number | null;
  /** A "כן" said over the end of the agent's question: its reply, answered once the question was heard. */
  reply?: boolean;
}

export interface RealtimeTurnState {
  floor: Floor;
  /** Turn indexes handed out. */
  turns: number;
  turn: RtTurnState | null;
  response: RtResponseState | null;
  barge: RtBarge | null;
}

/** Barge-in thresholds (TIMING's): voiced audio that is an interruption, quiet that ends a burst. */
export interface RtConfig {
  interruptMs: number;
  burstEndMs: number;
  /** The server VAD's silence window: no speech_stopped this long past interruptMs = sustained. */
  silenceMs: number;
}

const DEFAULT_CONFIG: RtConfig = {
  interruptMs: TIMING.interruptMs,
  burstEndMs: TIMING.burstEndMs,
  silenceMs: 700,
};

export type RtEnding = 'end_call' | 'transfer' | null;

export type RtEvent =
  /** The model session is ready; `greeted`: the cached greeting played (else the model greets). */
  | { type: 'connected'; at: number; greeted: boolean }
  | { type: 'speech_started'; at: number; itemId: string }
  | { type: 'speech_stopped'; at: number; itemId: string; audioEndMs: number }
  /**
   * The caller's current utterance as the engine's own VAD hears it (sent while a barge-in is
   * open): voiced ms so far, quiet ms since the last voiced frame (Infinity: no speech).
   */
  | { type: 'caller_audio'; at: number; voicedMs: number; quietMs: number }
  /**
   * A caller item's final transcript ('' when empty or failed); `agentAsking`: the agent's
   * answer is generated, ends with a question, and its last seconds are playing.
   */
  | { type: 'transcript'; at: number; itemId: string; text: string; agentAsking?: boolean }
  | { type: 'response_started'; at: number; responseId: string }
  | { type: 'audio'; at: number; responseId: string; itemId: string; audio: Buffer }
  /** The first frame of a response's audio left for the caller (its speech handle's start). */
  | { type: 'audio_started'; at: number; turn: number | null }
  | { type: 'function_call'; at: number; responseId: string; call: ToolCall }
  | { type: 'response_done'; at: number; responseId: string; status: string }
  /** The response's tool calls have their results; `ending`: a tool ends or transfers the call. */
  | { type: 'tools_done'; at: number; responseId: string; ending: RtEnding }
  /** Everything sent was heard (or a goodbye / transfer line played out). */
  | { type: 'idle'; at: number }
  /** The model socket closed mid-call. */
  | { type: 'closed'; at: number }
  | { type: 'ending'; at: number; cut?: boolean }
  | { type: 'hangup'; at: number };

export type RtEffect =
  | { type: 'model_greets' }
  | { type: 'turn'; id: number; itemId: string; at: number }
  | { type: 'merge'; id: number; itemId: string }
  | { type: 'thinking'; id: number; at: number; audioEndMs: number }
  /** `response.create` for the caller's turn (the server VAD creates none itself). */
  | { type: 'respond' }
  | { type: 'cancel_response' }
  /** An undecided barge-in: nothing more is sent to the caller until `unpause` (or a clear). */
  | { type: 'pause' }
  | { type: 'unpause' }
  /** Clear the agent's audio, cancel the response, truncate `responseId`'s item at what was heard. */
  | { type: 'barge_in'; responseId: string | null; id: number | null }
  | { type: 'play'; responseId: string; itemId: string; audio: Buffer }
  | { type: 'speaking'; id: number; at: number }
  | { type: 'run_tool'; responseId: string; call: ToolCall }
  | { type: 'await_tools'; responseId: string }
  | { type: 'follow_up' }
  /** A response answering no turn (the model's greeting): its text goes to the transcript. */
  | { type: 'model_line'; responseId: string }
  | { type: 'end_call'; id: number; reason: 'goodbye' | 'agent_end_call' }
  | { type: 'transfer'; id: number }
  /** `now`: write the row without waiting for a late caller transcript. */
  | { type: 'record'; id: number; interrupted: boolean; errorCode?: string; now: boolean }
  /** This call continues on the pipeline engine. */
  | { type: 'degrade' };

export interface RtIo {
  /** The player has agent audio queued or not yet heard. */
  busy: boolean;
}

export interface RtReduced {
  state: RealtimeTurnState;
  effects: RtEffect[];
}

export function initialRealtimeState(): RealtimeTurnState {
  return { floor: 'greeting', turns: 0, turn: null, response: null, barge: null };
}

const same = (s: RealtimeTurnState): RtReduced => ({ state: s, effects: [] });

const record = (id: number, interrupted = false, errorCode?: string, now = false): RtEffect => ({
  type: 'record',
  id,
  interrupted,
  ...(errorCode ? { errorCode } : {}),
  now,
});

/** The response `id` if it is the current one. */
const current = (s: RealtimeTurnState, id: string) => (s.response?.id === id ? s.response : null);

/** The open turn `r` answers. */
const turnOf = (s: RealtimeTurnState, r: RtResponseState | null) =>
  r && s.turn && r.turn === s.turn.id ? s.turn : null;

/** One event → the next state and what to do. Never mutates `s`. */
export function reduceRealtime(
  s: RealtimeTurnState,
  ev: RtEvent,
  io: RtIo,
  cfg: RtConfig = DEFAULT_CONFIG,
): RtReduced {
  if (s.floor === 'ended') return same(s);
  const over = s.floor === 'ending';
  switch (ev.type) {
    case 'connected':
      return {
        state: { ...s, floor: s.floor === 'greeting' && !io.busy ? 'listening' : s.floor },
        effects: ev.greeted ? [] : [{ type: 'model_greets' }],
      };
    case 'speech_started':
      if (over) return same(s);
      if (agentAudio(s, io)) return bargeStarted(s, ev.itemId, ev.at);
      return takeFloor({ ...s, barge: null }, ev.itemId, ev.at, io);
    case 'caller_audio':
      return callerAudio(s, ev.voicedMs, ev.quietMs, ev.at, io, cfg);
    case 'speech_stopped': {
      const b = s.barge;
      if (b?.items.includes(ev.itemId)) {
        // The burst ended before it was an interruption: the agent goes on; its words decide.
        const barge = { ...b, paused: false, stopped: ev.audioEndMs };
        return { state: { ...s, barge }, effects: b.paused ? [{ type: 'unpause' }] : [] };
      }
      const t = s.turn;
      if (over || !t || !t.items.includes(ev.itemId) || t.phase === 'speaking') return same(s);
      return thinking(s, t, ev.at, ev.audioEndMs, []);
    }
    case 'transcript': {
      const b = s.barge;
      if (b?.items.includes(ev.itemId) && !over) {
        if (ev.text.trim() && !isBackchannel(ev.text)) {
          // Words over the agent: a real interruption, however short.
          const r = interrupt(s, b, ev.at, io);
          return goodbye(r.state, ev.itemId, ev.text, r.effects);
        }
        if (ev.agentAsking && AGREEMENT.test(ev.text)) {
          // "כן" to the agent's question: the next turn once the question was heard (idle).
          const barge = { ...b, paused: false, reply: true };
          if (!agentAudio(s, io)) return interrupt(s, barge, ev.at, io);
          return { state: { ...s, barge }, effects: b.paused ? [{ type: 'unpause' }] : [] };
        }
        // A backchannel (or nothing): not a turn, never answered.
        const items = b.items.filter((i) => i !== ev.itemId);
        if (items.length && b.paused) return { state: { ...s, barge: { ...b, items } }, effects: [] };
        return { state: { ...s, barge: null }, effects: b.paused ? [{ type: 'unpause' }] : [] };
      }
      return goodbye(s, ev.itemId, ev.text, []);
    }
    case 'response_started': {
      const turn = s.turn?.id ?? null;
      const response = { id: ev.responseId, turn, audio: false, tools: 0, done: false, cancelled: false };
      return { state: { ...s, response }, effects: [] };
    }
    case 'audio': {
      const r = current(s, ev.responseId);
      if (!r || r.cancelled) return same(s);
      const t = turnOf(s, r);
      return {
        state: { ...s, response: { ...r, audio: true }, turn: t ? { ...t, played: true } : s.turn },
        effects: [{ type: 'play', responseId: r.id, itemId: ev.itemId, audio: ev.audio }],
      };
    }
    case 'audio_started': {
      // Also a follow-up answer's audio after the first one was heard: the agent has the floor again.
      const t = s.turn;
      if (!t || t.id !== ev.turn) return same(s);
      const floor = over ? s.floor : 'speaking';
      if (t.phase === 'speaking') return { state: { ...s, floor }, effects: [] };
      return {
        state: { ...s, floor, turn: { ...t, phase: 'speaking' } },
        effects: [{ type: 'speaking', id: t.id, at: ev.at }],
      };
    }
    case 'function_call': {
      const r = current(s, ev.responseId);
      if (!r) return same(s);
      return {
        state: { ...s, response: { ...r, tools: r.tools + 1 } },
        effects: [{ type: 'run_tool', responseId: r.id, call: ev.call }],
      };
    }
    case 'response_done': {
      const r = current(s, ev.responseId);
      if (!r) return same(s);
      const done = { ...r, done: true };
      if (!r.tools) return outcome({ ...s, response: done }, done, ev.status, null, io);
      // Not finished on idle while its tools run.
      const t = turnOf(s, r);
      const turn = t && !r.cancelled ? { ...t, followUp: true } : s.turn;
      return { state: { ...s, response: done, turn }, effects: [{ type: 'await_tools', responseId: r.id }] };
    }
    case 'tools_done': {
      const r = current(s, ev.responseId);
      return r ? outcome(s, r, 'completed', ev.ending, io) : same(s);
    }
    case 'idle': {
      const r = idle(s);
      const b = r.state.barge;
      if (!b?.reply || over) return r;
      const reply = interrupt(r.state, b, ev.at, io);
      return { state: reply.state, effects: [...r.effects, ...reply.effects] };
    }
    case 'closed': {
      const t = s.turn;
      const effects: RtEffect[] = s.barge?.paused ? [{ type: 'unpause' }] : [];
      if (t) effects.push(record(t.id, false, 'realtime_closed', true));
      if (!over) effects.push({ type: 'degrade' });
      return { state: { ...s, turn: null, barge: null }, effects };
    }
    case 'ending': {
      // The call ends: a pending barge-in is dropped (the answer and the last line play out).
      const unpause: RtEffect[] = s.barge?.paused ? [{ type: 'unpause' }] : [];
      const next = { ...s, barge: null };
      if (!ev.cut) return { state: { ...next, floor: 'ending' }, effects: unpause };
      const r = stopAll(next, io, 'ending');
      return { state: r.state, effects: [...unpause, ...r.effects] };
    }
    case 'hangup':
      return stopAll(s, io, 'ended');
  }
}

/** Agent audio plays (or a response with audio is still coming). */
function agentAudio(s: RealtimeTurnState, io: RtIo): boolean {
  const r = s.response;
  return io.busy || (r != null && !r.done && !r.cancelled && r.audio);
}

function goodbye(s: RealtimeTurnState, itemId: string, text: string, effects: RtEffect[]): RtReduced {
  const t = s.turn;
  if (!t || !t.items.includes(itemId) || !isGoodbye(text)) return { state: s, effects };
  return { state: { ...s, turn: { ...t, goodbye: true } }, effects };
}

/** The caller's turn ended (server VAD): it is answered now. */
function thinking(
  s: RealtimeTurnState,
  t: RtTurnState,
  at: number,
  audioEndMs: number,
  effects: RtEffect[],
): RtReduced {
  return {
    state: { ...s, floor: 'thinking', turn: { ...t, phase: 'thinking' } },
    effects: [...effects, { type: 'thinking', id: t.id, at, audioEndMs }, { type: 'respond' }],
  };
}

/** Speech over the agent: the line pauses until the speech says whether it interrupts. */
function bargeStarted(s: RealtimeTurnState, itemId: string, at: number): RtReduced {
  const b = s.barge;
  const pause: RtEffect[] = b?.paused ? [] : [{ type: 'pause' }];
  const barge: RtBarge = b
    ? { ...b, items: [...b.items, itemId], paused: true, stopped: null, reply: false }
    : { items: [itemId], at, paused: true, stopped: null };
  return { state: { ...s, barge }, effects: pause };
}

/** While a barge-in is open: sustained speech interrupts, a burst's end releases the line. */
function callerAudio(
  s: RealtimeTurnState,
  voicedMs: number,
  quietMs: number,
  at: number,
  io: RtIo,
  cfg: RtConfig,
): RtReduced {
  const b = s.barge;
  if (!b || s.floor === 'ending') return same(s);
  // Sustained: voiced that long, or the server still hears speech after its silence window.
  const longSpeech = b.stopped == null && at - b.at >= cfg.interruptMs + cfg.silenceMs;
  if ((voicedMs >= cfg.interruptMs && (b.paused || b.stopped == null)) || longSpeech)
    return interrupt(s, b, at, io);
  if (b.paused && quietMs >= cfg.burstEndMs)
    return { state: { ...s, barge: { ...b, paused: false } }, effects: [{ type: 'unpause' }] };
  // Released, and the caller speaks again within the same server item: paused again.
  if (!b.paused && b.stopped == null && quietMs === 0)
    return { state: { ...s, barge: { ...b, paused: true } }, effects: [{ type: 'pause' }] };
  return same(s);
}

/** The barge-in is real: the agent stops (clear, cancel, truncate), the speech is the next turn. */
function interrupt(s: RealtimeTurnState, b: RtBarge, at: number, io: RtIo): RtReduced {
  const [first, ...rest] = b.items;
  const taken = takeFloor({ ...s, barge: null }, first!, b.at, io);
  let t = taken.state.turn!;
  const effects = taken.effects;
  for (const itemId of rest) {
    effects.push({ type: 'merge', id: t.id, itemId });
    t = { ...t, items: [...t.items, itemId] };
  }
  const next = { ...taken.state, turn: t };
  // Its speech already ended: the turn is answered now.
  if (b.stopped != null) return thinking(next, t, at, b.stopped, effects);
  return { state: next, effects };
}

/** The caller has the floor from `itemId`: the agent's audio stops, the item opens or joins a turn. */
function takeFloor(s: RealtimeTurnState, itemId: string, at: number, io: RtIo): RtReduced {
  const effects: RtEffect[] = [];
  let r = s.response;
  let t = s.turn;
  const answering = r != null && !r.done && !r.cancelled;
  if (io.busy || (answering && r!.audio)) {
    // Barge-in: the agent's audio stops now; its turn is recorded with what was heard.
    const open = r && !r.cancelled ? turnOf(s, r) : null;
    effects.push({ type: 'barge_in', responseId: r && !r.cancelled ? r.id : null, id: open?.id ?? null });
    if (r && !r.cancelled) r = { ...r, cancelled: true };
    if (open) {
      effects.push(record(open.id, true));
      t = null;
    }
  } else if (answering) {
    // Speech again before any answer audio: the caller went on; the server drops that answer.
    effects.push({ type: 'cancel_response' });
    r = { ...r!, cancelled: true };
  }
  if (t) {
    const toolsRan = r != null && r.turn === t.id && r.tools > 0;
    if (!t.played && !toolsRan) {
      effects.push({ type: 'merge', id: t.id, itemId });
      t = { ...t, items: [...t.items, itemId], phase: 'listening', followUp: false };
    } else {
      effects.push(record(t.id));
      t = null;
    }
  }
  let turns = s.turns;
  if (!t) {
    t = { id: turns++, items: [itemId], phase: 'listening', played: false, goodbye: false, followUp: false };
    effects.push({ type: 'turn', id: t.id, itemId, at });
  }
  return { state: { ...s, floor: 'listening', turns, turn: t, response: r }, effects };
}

/** A response is over (its tools, if any, answered): what it means for the turn. */
function outcome(
  s: RealtimeTurnState,
  r: RtResponseState,
  status: string,
  ending: RtEnding,
  io: RtIo,
): RtReduced {
  if (r.turn == null) {
    const floor = s.floor === 'greeting' && !io.busy ? 'listening' : s.floor;
    return { state: { ...s, floor }, effects: [{ type: 'model_line', responseId: r.id }] };
  }
  const t = turnOf(s, r);
  if (!t || r.cancelled || status === 'cancelled') return same(s);
  // The turn's row is written now if its audio was heard already, else on idle.
  const heard = io.busy ? [] : [record(t.id)];
  const closed = { ...s, turn: io.busy ? { ...t, followUp: false } : null };
  if (ending === 'end_call')
    return { state: closed, effects: [...heard, { type: 'end_call', id: t.id, reason: 'agent_end_call' }] };
  if (ending === 'transfer') return { state: closed, effects: [...heard, { type: 'transfer', id: t.id }] };
  if (r.tools > 0 && status === 'completed') {
    // Tool results are in the conversation: the model answers with them (same turn).
    return { state: { ...s, turn: { ...t, followUp: true } }, effects: [{ type: 'follow_up' }] };
  }
  if (t.goodbye)
    return { state: closed, effects: [...heard, { type: 'end_call', id: t.id, reason: 'goodbye' }] };
  if (io.busy) return { state: closed, effects: [] };
  return { state: { ...closed, floor: s.floor === 'ending' ? s.floor : 'listening' }, effects: heard };
}

function idle(s: RealtimeTurnState): RtReduced {
  const r = s.response;
  const t = turnOf(s, r);
  let floor = s.floor === 'greeting' ? 'listening' : s.floor;
  const effects: RtEffect[] = [];
  let turn = s.turn;
  if (t && r!.done && !r!.cancelled && !t.followUp) {
    effects.push(record(t.id));
    turn = null;
  }
  if (floor === 'speaking' && !(r && !r.done)) floor = 'listening';
  return { state: { ...s, floor, turn }, effects };
}

/** Hang-up or a cut ending: the open turn is recorded now (unfinished if its answer was). */
function stopAll(s: RealtimeTurnState, io: RtIo, floor: 'ending' | 'ended'): RtReduced {
  const t = s.turn;
  if (!t) return { state: { ...s, floor }, effects: [] };
  const r = s.response;
  const unfinished = r != null && turnOf(s, r) != null && (!r.done || io.busy);
  return {
    state: { ...s, floor, turn: null },
    effects: [record(t.id, unfinished, unfinished ? 'caller_hangup' : undefined, true)],
  };
}
