/**
 * The pipeline's turn reducer, deterministically: a manual clock, events in, state and effects
 * out — every transition of the call's turn-taking without a socket, a timer or a provider.
 */
import { describe, expect, it } from 'vitest';
import {
  initialTurnState,
  isBackchannel,
  reduce,
  type TurnConfig,
  type TurnEffect,
  type TurnEvent,
  type TurnState,
} from '../../src-main/telephony/media/turn/reducer';

/** An event without its time (the manual clock adds it). */
type EventIn = TurnEvent extends infer E ? (E extends TurnEvent ? Omit<E, 'at'> : never) : never;

const CFG: TurnConfig = { resumeWithinMs: 8000, maxTurnErrors: 2, preemptive: false };

/** A call driven event by event on a manual clock; `busy` is the player. */
class Call {
  state: TurnState = initialTurnState();
  now = 0;
  busy = false;
  log: TurnEffect[][] = [];
  constructor(private readonly cfg: TurnConfig = CFG) {}
  tick(ms: number): this {
    this.now += ms;
    return this;
  }
  send(ev: EventIn): TurnEffect[] {
    const r = reduce(this.state, { ...ev, at: this.now } as TurnEvent, { busy: this.busy }, this.cfg);
    this.state = r.state;
    this.log.push(r.effects);
    return r.effects;
  }
  types(effects: TurnEffect[]): string[] {
    return effects.map((e) => e.type);
  }
  /** Greeting heard, then one utterance transcribed as `text` and answered up to its first piece. */
  answering(text = 'מה שעות הפתיחה?'): number {
    this.send({ type: 'idle' });
    this.tick(1000).send({ type: 'utterance_end', speechEndAt: this.now - 700 });
    const id = this.state.utterance!.id;
    this.tick(100).send({ type: 'transcript', id, text });
    this.busy = true;
    this.tick(300).send({ type: 'piece_started', id });
    return id;
  }
}

describe('turn reducer', () => {
  it('greeting → listening once the greeting was heard', () => {
    const c = new Call();
    c.busy = true;
    c.send({ type: 'greeting' });
    expect(c.state.floor).toBe('greeting');
    c.busy = false;
    c.send({ type: 'idle' });
    expect(c.state.floor).toBe('listening');
    // No greeting audio at all: listening at once.
    const d = new Call();
    d.send({ type: 'greeting' });
    expect(d.state.floor).toBe('listening');
  });

  it('utterance end → thinking, transcribe + deadline; words → answer with turn index 0; first piece → speaking; idle after done → complete', () => {
    const c = new Call();
    c.send({ type: 'idle' });
    const e1 = c.tick(1000).send({ type: 'utterance_end', speechEndAt: 300 });
    expect(c.state.floor).toBe('thinking');
    expect(e1).toEqual([
      { type: 'transcribe', id: 1 },
      { type: 'arm_deadline', id: 1, speechEndAt: 300 },
    ]);
    const e2 = c.tick(120).send({ type: 'transcript', id: 1, text: ' מה שעות הפתיחה? ' });
    expect(e2).toEqual([{ type: 'answer', id: 1, index: 0, text: 'מה שעות הפתיחה?', goodbye: false }]);
    expect(c.state.answer).toMatchObject({ id: 1, index: 0, phase: 'thinking' });
    c.busy = true;
    expect(c.types(c.send({ type: 'piece_started', id: 1 }))).toEqual(['speaking']);
    expect(c.state.floor).toBe('speaking');
    expect(c.send({ type: 'answer_done', id: 1, spoke: true, ending: null })).toEqual([]);
    c.busy = false;
    expect(c.send({ type: 'idle' })).toEqual([{ type: 'complete', id: 1 }]);
    expect(c.state.floor).toBe('listening');
    expect(c.state.answer).toBeNull();
  });

  it('an answer done after the audio was already heard completes at once; one with nothing to say is recorded', () => {
    const c = new Call();
    const id = c.answering();
    c.busy = false;
    expect(c.send({ type: 'answer_done', id, spoke: true, ending: null })).toEqual([
      { type: 'complete', id },
    ]);
    const d = new Call();
    d.send({ type: 'idle' });
    d.send({ type: 'utterance_end', speechEndAt: 0 });
    d.send({ type: 'transcript', id: 1, text: 'תקבע לי תור' });
    expect(d.send({ type: 'answer_done', id: 1, spoke: false, ending: null })).toEqual([
      { type: 'record', id: 1, interrupted: false },
    ]);
    expect(d.state.floor).toBe('listening');
  });

  it('no words: not a turn, no index taken (no rewinds); the next real turn is index 0', () => {
    const c = new Call();
    c.send({ type: 'idle' });
    c.send({ type: 'utterance_end', speechEndAt: 0 });
    expect(c.send({ type: 'transcript', id: 1, text: '  ' })).toEqual([]);
    expect(c.state.floor).toBe('listening');
    c.send({ type: 'utterance_end', speechEndAt: 0 });
    expect(c.send({ type: 'transcript', id: 2, text: 'שלום' })[0]).toMatchObject({
      type: 'answer',
      index: 0,
    });
    // A stale transcript (cancelled utterance) changes nothing.
    expect(c.send({ type: 'transcript', id: 1, text: 'ישן' })).toEqual([]);
  });

  it('the caller goes on before the answer plays: merged (cancel, carry audio), the index is kept for the merged turn', () => {
    const c = new Call();
    c.send({ type: 'idle' });
    c.send({ type: 'utterance_end', speechEndAt: 0 });
    c.send({ type: 'transcript', id: 1, text: 'אני רוצה לקבוע' });
    const e = c.tick(200).send({ type: 'confirmed' });
    expect(e).toEqual([
      { type: 'cancel', id: 1 },
      { type: 'merge', id: 1, rollback: 'אני רוצה לקבוע' },
    ]);
    expect(c.state.floor).toBe('listening');
    expect(c.state.reserved).toBe(0);
    c.send({ type: 'utterance_end', speechEndAt: c.now });
    expect(c.send({ type: 'transcript', id: 2, text: 'אני רוצה לקבוע תור למחר' })[0]).toMatchObject({
      type: 'answer',
      index: 0,
    });
    expect(c.state.indexes).toBe(1);
    // Still transcribing (no answer yet): merged without a rollback.
    const d = new Call();
    d.send({ type: 'idle' });
    d.send({ type: 'utterance_end', speechEndAt: 0 });
    expect(d.send({ type: 'confirmed' })).toEqual([
      { type: 'cancel', id: 1 },
      { type: 'merge', id: 1, rollback: null },
    ]);
    // After a tool ran the answer is not merged away (the tool's effect happened).
    const t = new Call();
    t.send({ type: 'idle' });
    t.send({ type: 'utterance_end', speechEndAt: 0 });
    t.send({ type: 'transcript', id: 1, text: 'תקבע לי' });
    t.send({ type: 'tool', id: 1 });
    expect(t.send({ type: 'confirmed' })).toEqual([]);
  });

  it('barge-in: confirmed speech over the answer holds it and pauses the line (no clear), sustained speech interrupts (clear, cancel, record heard part)', () => {
    const c = new Call();
    const id = c.answering();
    const e = c.tick(500).send({ type: 'confirmed' });
    expect(e, 'a "כן" that stops here never clears the agent').toEqual([{ type: 'pause' }]);
    expect(c.state.answer?.held).toBe(true);
    expect(c.state.paused).toBe(true);
    expect(c.state.floor).toBe('listening');
    expect(c.tick(200).send({ type: 'sustained' })).toEqual([
      { type: 'clear' },
      { type: 'cancel', id },
      { type: 'record', id, interrupted: true },
    ]);
    expect(c.state.answer).toBeNull();
    expect(c.state.paused).toBe(false);
    expect(c.send({ type: 'sustained' }), 'interrupted once').toEqual([]);
  });

  it('barge-in when all the audio was already heard: held, nothing to pause; idle while held does not complete it', () => {
    const c = new Call();
    const id = c.answering();
    c.busy = false;
    expect(c.tick(500).send({ type: 'confirmed' })).toEqual([]);
    expect(c.state.answer?.held).toBe(true);
    expect(c.send({ type: 'idle' })).toEqual([]);
    expect(c.tick(140).send({ type: 'sustained' })).toEqual([
      { type: 'cancel', id },
      { type: 'record', id, interrupted: true },
    ]);
  });

  it('a burst over the agent that stops short of an interruption resumes the line where it paused', () => {
    const c = new Call();
    const id = c.answering();
    c.tick(500).send({ type: 'confirmed' });
    expect(c.tick(300).send({ type: 'burst_end' })).toEqual([
      { type: 'unpause' },
      { type: 'resume_cleared' },
      { type: 'release', id },
    ]);
    expect(c.state).toMatchObject({ bargeAt: null, paused: false, floor: 'speaking' });
    expect(c.state.answer).toMatchObject({ id, held: false });
    // The caller speaks again in the same utterance: a barge-in again (paused again).
    expect(c.tick(100).send({ type: 'resume' })).toEqual([{ type: 'pause' }]);
    expect(c.state.paused).toBe(true);
    // Its transcript is a backchannel: released, no turn taken, nothing answered.
    c.tick(600).send({ type: 'utterance_end', speechEndAt: c.now - 500 });
    const r = c.tick(100).send({ type: 'transcript', id: c.state.utterance!.id, text: 'כן, כן' });
    expect(r).toEqual([{ type: 'unpause' }, { type: 'resume_cleared' }, { type: 'release', id }]);
    expect(c.state.indexes).toBe(1);
  });

  it('"כן" over the agent\'s closing question is its reply: answered once the question was heard', () => {
    const c = new Call();
    const id = c.answering('אפשר לקבוע תור?');
    c.send({ type: 'answer_done', id, spoke: true, ending: null });
    c.tick(300).send({ type: 'utterance_end', speechEndAt: c.now - 250 });
    const uid = c.state.utterance!.id;
    expect(c.tick(100).send({ type: 'transcript', id: uid, text: 'כן.', agentAsking: true })).toEqual([]);
    expect(c.state.reply).toEqual({ id: uid, text: 'כן.' });
    expect(c.state.indexes, 'no turn yet: the question still plays').toBe(1);
    c.busy = false;
    expect(c.tick(400).send({ type: 'idle' })).toEqual([
      { type: 'complete', id },
      { type: 'answer', id: uid, index: 1, text: 'כן.', goodbye: false },
    ]);
    expect(c.state).toMatchObject({ floor: 'thinking', reply: null, answer: { id: uid, index: 1 } });

    // "אהה" is listening, not a reply; a "כן" over an earlier piece is a backchannel.
    for (const [text, agentAsking] of [
      ['אהה', true],
      ['כן', false],
    ] as const) {
      const d = new Call();
      const did = d.answering();
      d.send({ type: 'answer_done', id: did, spoke: true, ending: null });
      d.tick(300).send({ type: 'utterance_end', speechEndAt: d.now - 250 });
      d.tick(100).send({ type: 'transcript', id: d.state.utterance!.id, text, agentAsking });
      d.busy = false;
      expect(d.tick(400).send({ type: 'idle' }), text).toEqual([{ type: 'complete', id: did }]);
    }
  });

  it("a kept reply goes in front of the caller's next words", () => {
    const c = new Call();
    const id = c.answering('אפשר לקבוע תור?');
    c.send({ type: 'answer_done', id, spoke: true, ending: null });
    c.tick(300).send({ type: 'utterance_end', speechEndAt: c.now - 250 });
    c.tick(100).send({ type: 'transcript', id: c.state.utterance!.id, text: 'כן', agentAsking: true });
    c.tick(300).send({ type: 'utterance_end', speechEndAt: c.now - 250 });
    const next = c.state.utterance!.id;
    const r = c.tick(100).send({ type: 'transcript', id: next, text: 'מחר בעשר' });
    expect(r).toContainEqual({ type: 'answer', id: next, index: 1, text: 'כן מחר בעשר', goodbye: false });
    expect(c.state.reply).toBeNull();
  });

  it('an interruption after the paused line had sent its last frames unpauses it (the next answer plays)', () => {
    const c = new Call();
    const id = c.answering();
    expect(c.tick(500).send({ type: 'confirmed' })).toEqual([{ type: 'pause' }]);
    c.busy = false; // every frame had left; their marks came back
    expect(c.tick(300).send({ type: 'sustained' })).toEqual([
      { type: 'unpause' },
      { type: 'cancel', id },
      { type: 'record', id, interrupted: true },
    ]);
    // Words instead of sustained speech: the same.
    const d = new Call();
    const did = d.answering();
    d.tick(500).send({ type: 'confirmed' });
    d.busy = false;
    d.tick(300).send({ type: 'utterance_end', speechEndAt: d.now - 100 });
    const r = d.tick(100).send({ type: 'transcript', id: d.state.utterance!.id, text: 'רגע, יש לי שאלה' });
    expect(r.slice(0, 3)).toEqual([
      { type: 'unpause' },
      { type: 'cancel', id: did },
      { type: 'record', id: did, interrupted: true },
    ]);
    expect(d.state.paused).toBe(false);
    // The call ending while paused: its goodbye line is heard.
    const e = new Call();
    e.answering();
    e.tick(500).send({ type: 'confirmed' });
    expect(e.send({ type: 'ending' })).toEqual([{ type: 'unpause' }]);
  });

  it('a burst after the whole answer was heard completes it', () => {
    const c = new Call();
    const id = c.answering();
    c.send({ type: 'answer_done', id, spoke: true, ending: null });
    c.tick(500).send({ type: 'confirmed' });
    c.busy = false;
    const r = c.tick(300).send({ type: 'burst_end' });
    expect(c.types(r)).toEqual(['unpause', 'resume_cleared', 'release', 'complete']);
    expect(c.state.floor).toBe('listening');
  });

  it('barge-in: words heard before the speech lasted clear the agent then and interrupt it', () => {
    const c = new Call();
    const id = c.answering();
    c.tick(500).send({ type: 'confirmed' });
    c.tick(200).send({ type: 'utterance_end', speechEndAt: c.now - 100 });
    const uid = c.state.utterance!.id;
    const r = c.tick(100).send({ type: 'transcript', id: uid, text: 'רגע, אני רוצה לשאול משהו אחר' });
    expect(r.slice(0, 3)).toEqual([
      { type: 'clear' },
      { type: 'cancel', id },
      { type: 'record', id, interrupted: true },
    ]);
  });

  it('backchannels over the answer do not stop it: a short burst (noise) or a backchannel transcript releases the hold', () => {
    const c = new Call();
    const id = c.answering();
    c.tick(500).send({ type: 'confirmed' });
    expect(c.tick(100).send({ type: 'noise' })).toEqual([
      { type: 'unpause' },
      { type: 'resume_cleared' },
      { type: 'release', id },
    ]);
    expect(c.state.answer?.held).toBe(false);
    expect(c.state.floor).toBe('speaking');

    for (const word of ['כן', 'אהה', 'נכון.', 'בסדר', 'אוקיי', 'אמממ', 'כן, כן']) {
      const d = new Call();
      const did = d.answering();
      d.tick(500).send({ type: 'confirmed' });
      d.tick(400).send({ type: 'utterance_end', speechEndAt: d.now - 300 });
      const uid = d.state.utterance!.id;
      const r = d.tick(100).send({ type: 'transcript', id: uid, text: word });
      expect(r, word).toEqual([
        { type: 'unpause' },
        { type: 'resume_cleared' },
        { type: 'release', id: did },
      ]);
      expect(d.state.answer).toMatchObject({ id: did, held: false });
      expect(d.state.indexes, 'no turn taken').toBe(1);
    }
  });

  it('words over the answer interrupt it and become the next turn; an unconfirmed overlap decides on its transcript', () => {
    const c = new Call();
    const id = c.answering();
    c.tick(500).send({ type: 'confirmed' });
    c.busy = false;
    c.tick(900).send({ type: 'utterance_end', speechEndAt: c.now - 700 });
    const r = c.tick(100).send({ type: 'transcript', id: 2, text: 'רגע, קוראים לי דני' });
    expect(r).toEqual([
      { type: 'unpause' },
      { type: 'cancel', id },
      { type: 'record', id, interrupted: true },
      { type: 'answer', id: 2, index: 1, text: 'רגע, קוראים לי דני', goodbye: false },
    ]);
    // An utterance too short to confirm, over the answer: "כן" keeps it, words stop it.
    const d = new Call();
    const did = d.answering();
    d.tick(300).send({ type: 'utterance_end', speechEndAt: d.now });
    expect(d.state.floor).toBe('speaking');
    expect(d.state.answer?.id).toBe(did);
    expect(d.send({ type: 'transcript', id: 2, text: 'כן' })).toEqual([]);
    expect(d.state.answer?.id).toBe(did);
    d.send({ type: 'utterance_end', speechEndAt: d.now });
    expect(d.types(d.send({ type: 'transcript', id: 3, text: 'לא, אני רוצה משהו אחר' }))).toEqual([
      'clear',
      'cancel',
      'record',
      'answer',
    ]);
  });

  it('a false interruption after the answer was cut still resumes within the window, not after it', () => {
    const c = new Call();
    c.answering();
    c.tick(500).send({ type: 'confirmed' });
    c.send({ type: 'sustained' });
    c.tick(900).send({ type: 'utterance_end', speechEndAt: c.now });
    expect(c.send({ type: 'transcript', id: 2, text: '' })).toEqual([{ type: 'resume_cleared' }]);
    const d = new Call();
    d.answering();
    d.tick(500).send({ type: 'confirmed' });
    d.busy = false;
    d.send({ type: 'sustained' });
    d.tick(9000).send({ type: 'utterance_end', speechEndAt: d.now });
    expect(d.send({ type: 'transcript', id: 2, text: 'כן' })).toMatchObject([{ type: 'answer', index: 1 }]);
  });

  it('a new utterance supersedes an answer still being prepared', () => {
    const c = new Call();
    c.send({ type: 'idle' });
    c.send({ type: 'utterance_end', speechEndAt: 0 });
    c.send({ type: 'transcript', id: 1, text: 'שאלה' });
    c.send({ type: 'tool', id: 1 });
    expect(c.send({ type: 'utterance_end', speechEndAt: 0 })).toEqual([
      { type: 'cancel', id: 1 },
      { type: 'record', id: 1, interrupted: true },
      { type: 'transcribe', id: 2 },
      { type: 'arm_deadline', id: 2, speechEndAt: 0 },
    ]);
  });

  it('deadline: a filler only while still thinking with nothing playing, once', () => {
    const c = new Call();
    c.send({ type: 'idle' });
    c.send({ type: 'utterance_end', speechEndAt: 0 });
    c.send({ type: 'transcript', id: 1, text: 'שאלה' });
    expect(c.tick(2500).send({ type: 'deadline', id: 1 })).toEqual([{ type: 'filler', id: 1 }]);
    expect(c.send({ type: 'deadline', id: 1 })).toEqual([]);
    const d = new Call();
    d.send({ type: 'idle' });
    d.send({ type: 'utterance_end', speechEndAt: 0 });
    expect(d.send({ type: 'deadline', id: 1 })).toEqual([{ type: 'filler', id: 1 }]); // still transcribing
    const s = new Call();
    const id = s.answering();
    expect(s.send({ type: 'deadline', id })).toEqual([]); // already speaking
  });

  it('goodbye, end_call and transfer; failures say sorry, then hand over', () => {
    const c = new Call();
    c.send({ type: 'idle' });
    c.send({ type: 'utterance_end', speechEndAt: 0 });
    expect(c.send({ type: 'transcript', id: 1, text: 'תודה, להתראות' })).toEqual([
      { type: 'answer', id: 1, index: 0, text: 'תודה, להתראות', goodbye: true },
    ]);
    const e = new Call();
    const id = e.answering();
    expect(e.send({ type: 'answer_done', id, spoke: true, ending: 'end_call' })).toEqual([
      { type: 'end_call', id, reason: 'agent_end_call' },
    ]);
    e.send({ type: 'ending' });
    expect(e.state.floor).toBe('ending');
    expect(e.send({ type: 'confirmed' })).toEqual([]); // no barge-in while ending
    const t = new Call();
    const tid = t.answering();
    expect(t.send({ type: 'answer_done', id: tid, spoke: true, ending: 'transfer' })).toEqual([
      { type: 'transfer', id: tid },
    ]);

    const f = new Call();
    f.send({ type: 'idle' });
    f.send({ type: 'utterance_end', speechEndAt: 0 });
    expect(f.send({ type: 'answer_failed', id: 1, code: 'asr_failed' })).toEqual([{ type: 'sorry', id: 1 }]);
    expect(f.state.answer).toMatchObject({ id: 1, index: 0, done: true });
    expect(f.send({ type: 'idle' })).toEqual([{ type: 'complete', id: 1 }]);
    f.send({ type: 'utterance_end', speechEndAt: 0 });
    f.send({ type: 'transcript', id: 2, text: 'שוב' });
    expect(f.send({ type: 'answer_failed', id: 2, code: 'llm_failed' })).toEqual([
      { type: 'record', id: 2, interrupted: false, errorCode: 'llm_failed' },
      { type: 'hand_over' },
    ]);
    expect(f.state.floor).toBe('ending');
  });

  it('hang-up records an unfinished answer as interrupted by the caller; afterwards nothing happens', () => {
    const c = new Call();
    const id = c.answering();
    expect(c.send({ type: 'hangup' })).toEqual([
      { type: 'cancel', id },
      { type: 'record', id, interrupted: true, errorCode: 'caller_hangup' },
    ]);
    expect(c.state.floor).toBe('ended');
    expect(c.send({ type: 'utterance_end', speechEndAt: 0 })).toEqual([]);
    // The owner hangs up / transfers: the answer stops, recorded as interrupted without an error.
    const o = new Call();
    const oid = o.answering();
    expect(o.send({ type: 'ending', cut: true })).toEqual([
      { type: 'cancel', id: oid },
      { type: 'record', id: oid, interrupted: true },
    ]);
    expect(o.state.floor).toBe('ending');
    expect(o.send({ type: 'hangup' })).toEqual([]);
  });

  it('preemptive generation: started on the speculative transcript, adopted when the final one equals it', () => {
    const c = new Call({ ...CFG, preemptive: true });
    c.send({ type: 'idle' });
    expect(c.send({ type: 'speculative', text: 'מה שעות הפתיחה?' })).toEqual([
      { type: 'preempt', id: 1, text: 'מה שעות הפתיחה?' },
    ]);
    c.tick(460).send({ type: 'utterance_end', speechEndAt: 0 });
    expect(c.send({ type: 'transcript', id: 1, text: 'מה שעות הפתיחה?' })).toEqual([
      { type: 'adopt', id: 1, preemptId: 1, index: 0, text: 'מה שעות הפתיחה?' },
    ]);
    expect(c.state.wastedPreempts).toBe(0);
  });

  it('preemptive generation: a different final transcript or the caller going on cancels it (counted as wasted)', () => {
    const c = new Call({ ...CFG, preemptive: true });
    c.send({ type: 'idle' });
    c.send({ type: 'speculative', text: 'מה שעות' });
    expect(c.send({ type: 'resume' })).toEqual([{ type: 'drop_preempt', id: 1 }]);
    expect(c.state.wastedPreempts).toBe(1);
    c.send({ type: 'speculative', text: 'מה שעות הפתיחה' });
    c.send({ type: 'utterance_end', speechEndAt: 0 });
    expect(c.send({ type: 'transcript', id: 1, text: 'מה שעות הפתיחה מחר?' })).toEqual([
      { type: 'drop_preempt', id: 1 },
      { type: 'answer', id: 1, index: 0, text: 'מה שעות הפתיחה מחר?', goodbye: false },
    ]);
    expect(c.state.wastedPreempts).toBe(2);
    // Off by setting, and never on a backchannel.
    const off = new Call();
    expect(off.send({ type: 'speculative', text: 'מה שעות הפתיחה?' })).toEqual([]);
    const bc = new Call({ ...CFG, preemptive: true });
    expect(bc.send({ type: 'speculative', text: 'כן' })).toEqual([]);
  });

  it('never mutates the state it is given', () => {
    const c = new Call();
    c.answering();
    const before = JSON.stringify(c.state);
    const frozen = c.state;
    reduce(frozen, { type: 'confirmed', at: c.now }, { busy: true }, CFG);
    expect(JSON.stringify(frozen)).toBe(before);
  });

  it('knows the Hebrew backchannels', () => {
    for (const w of ['כן', 'כן.', 'אהה', 'אמממ', 'נכון', 'בסדר', 'אוקיי', 'כן כן'])
      expect(isBackchannel(w), w).toBe(true);
    for (const w of ['כן, אני רוצה תור', 'לא', 'רגע', 'מה השעה?']) expect(isBackchannel(w), w).toBe(false);
  });
});
