/**
 * Steps the turn reducer shares between its transitions: backchannels, a caller turn's start (or
 * the adoption of the preemptive answer), an answer's completion, and the barge-in's three steps
 * (hold + pause, interrupt, release).
 */
import { isGoodbye } from '../../../agent/goodbye';
import type { Answer, Reduced, TurnEffect, TurnIo, TurnState } from './types';

/** Backchannels while the agent talks: not an interruption ("כן", "אהה", "אוקיי" …). */
export const BACKCHANNEL =
  /^(כן|אה+|אהה+|אמ+|מ+|ממ+|הממ+|אוקיי?|או?קיי|נכון|בסדר|יופי|טוב|uh-?huh|ok(ay)?)([.!,…\s]+(כן|נכון|בסדר|אוקיי|טוב))*[.!,…]*$/i;

export const isBackchannel = (text: string): boolean => BACKCHANNEL.test(text.trim());

/** A backchannel that also answers a yes/no question ("כן", "בסדר", "נכון", not "אהה"). */
export const AGREEMENT = /(^|[\s.,!…])(כן|נכון|בסדר|אוקיי?|או?קיי|יופי|טוב|ok(ay)?)([\s.,!…]|$)/i;

/** The agent's text ends by asking the caller something (a "כן" over it may be the reply). */
export const endsWithQuestion = (text: string): boolean => /\?\s*$/.test(text.trim());

export const NONE: TurnEffect[] = [];

export const same = (s: TurnState): Reduced => ({ state: s, effects: NONE });

export function dropPreempt(s: TurnState, effects: TurnEffect[]): Reduced {
  if (!s.preempt) return { state: s, effects };
  return {
    state: { ...s, preempt: null, wastedPreempts: s.wastedPreempts + 1 },
    effects: [...effects, { type: 'drop_preempt', id: s.preempt.id }],
  };
}

/** Caller turn `id` said `text`: a turn index is taken and the answer starts (or the preemptive one is adopted). */
export function startTurn(s: TurnState, id: number, text: string, effects: TurnEffect[]): Reduced {
  const index = s.reserved ?? s.indexes;
  let next: TurnState = { ...s, reserved: null, indexes: s.reserved != null ? s.indexes : s.indexes + 1 };
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

export function complete(s: TurnState, a: Answer): Reduced {
  const done: Reduced = {
    state: { ...s, answer: null, floor: s.floor === 'ending' ? 'ending' : 'listening' },
    effects: [{ type: 'complete', id: a.id }],
  };
  // The question was heard: the caller's "כן" to it is the next turn.
  const reply = s.reply;
  if (!reply || s.floor === 'ending' || s.utterance) return done;
  return startTurn({ ...done.state, reply: null }, reply.id, reply.text, done.effects);
}

export function confirmed(s: TurnState, at: number, io: TurnIo): Reduced {
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
export function interrupt(s: TurnState, io: TurnIo): Reduced {
  const a = s.answer;
  if (s.bargeAt == null) return same(s);
  const clear = stopLine(s, io);
  if (!a?.held) return { state: { ...s, bargeAt: null, paused: false }, effects: clear };
  return {
    state: { ...s, answer: null, bargeAt: null, paused: false },
    effects: [...clear, { type: 'cancel', id: a.id }, { type: 'record', id: a.id, interrupted: true }],
  };
}

/**
 * A real interruption stops the agent's audio: `clear` if any is still on the line, else just
 * `unpause` a line paused when its last frames had already left (nothing to clear, but the next
 * answer must not stay paused).
 */
export function stopLine(s: TurnState, io: TurnIo): TurnEffect[] {
  if (io.busy) return [{ type: 'clear' }];
  return s.paused ? [{ type: 'unpause' }] : [];
}

/** A false barge-in: the line goes on, and the held answer (and any cleared audio) with it. */
export function release(s: TurnState, io: TurnIo): Reduced {
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
