/**
 * The OpenAI Realtime call's turn-taking as one pure reducer, beside the pipeline's (reducer.ts):
 * `reduceRealtime(state, event, io)` → the next state and the effects to run. The model owns
 * end of turn (server VAD) and the answer; this reducer owns the floor, which caller items make
 * one turn, which response answers it, barge-in, and when a turn is recorded. No I/O, no timers:
 * time comes in on each event, whether the player still has agent audio in `io`.
 *
 *   greeting ─greeting heard / connected, nothing playing→ listening
 *   listening ─speech_stopped→ thinking ─response audio starts→ speaking ─answer heard (idle)→ listening
 *      ↑ speech_started: agent audio playing → barge-in (clear, cancel, truncate, record heard part)
 *      └ speech_started before any answer audio → response cancelled, items merged into one turn
 *   a response with tools → tool results → a follow-up response (same turn); end_call / transfer /
 *   a goodbye → ending; hang-up → ended (the open turn recorded).
 */
import { isGoodbye } from '../../../agent/goodbye';
import type { ToolCall } from '../../../agent/ports';
import type { Floor } from './reducer';

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

export interface RealtimeTurnState {
  floor: Floor;
  /** Turn indexes handed out. */
  turns: number;
  turn: RtTurnState | null;
  response: RtResponseState | null;
}

export type RtEnding = 'end_call' | 'transfer' | null;

export type RtEvent =
  /** The model session is ready; `greeted`: the cached greeting played (else the model greets). */
  | { type: 'connected'; at: number; greeted: boolean }
  | { type: 'speech_started'; at: number; itemId: string }
  | { type: 'speech_stopped'; at: number; itemId: string; audioEndMs: number }
  | { type: 'transcript'; at: number; itemId: string; text: string }
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
  | { type: 'cancel_response' }
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
  return { floor: 'greeting', turns: 0, turn: null, response: null };
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
export function reduceRealtime(s: RealtimeTurnState, ev: RtEvent, io: RtIo): RtReduced {
  if (s.floor === 'ended') return same(s);
  const over = s.floor === 'ending';
  switch (ev.type) {
    case 'connected':
      return {
        state: { ...s, floor: s.floor === 'greeting' && !io.busy ? 'listening' : s.floor },
        effects: ev.greeted ? [] : [{ type: 'model_greets' }],
      };
    case 'speech_started':
      return over ? same(s) : speechStarted(s, ev.itemId, ev.at, io);
    case 'speech_stopped': {
      const t = s.turn;
      if (over || !t || !t.items.includes(ev.itemId) || t.phase === 'speaking') return same(s);
      return {
        state: { ...s, floor: 'thinking', turn: { ...t, phase: 'thinking' } },
        effects: [{ type: 'thinking', id: t.id, at: ev.at, audioEndMs: ev.audioEndMs }],
      };
    }
    case 'transcript': {
      const t = s.turn;
      if (!t || !t.items.includes(ev.itemId) || !isGoodbye(ev.text)) return same(s);
      return { state: { ...s, turn: { ...t, goodbye: true } }, effects: [] };
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
    case 'idle':
      return idle(s);
    case 'closed': {
      const t = s.turn;
      const effects: RtEffect[] = t ? [record(t.id, false, 'realtime_closed', true)] : [];
      if (!over) effects.push({ type: 'degrade' });
      return { state: { ...s, turn: null }, effects };
    }
    case 'ending':
      return ev.cut ? stopAll(s, io, 'ending') : { state: { ...s, floor: 'ending' }, effects: [] };
    case 'hangup':
      return stopAll(s, io, 'ended');
  }
}

function speechStarted(s: RealtimeTurnState, itemId: string, at: number, io: RtIo): RtReduced {
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
