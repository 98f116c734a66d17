/**
 * The Realtime engine's turn reducer, deterministically: a manual clock, the model's and the
 * player's events in, floor and effects out — greeting, answer, tools and follow-up, barge-in,
 * merged utterances, goodbye / end_call / transfer and hang-up without a socket or a model.
 */
import { describe, expect, it } from 'vitest';
import {
  initialRealtimeState,
  reduceRealtime,
  type RealtimeTurnState,
  type RtEffect,
  type RtEvent,
} from '../../src-main/telephony/media/turn/realtime-reducer';

type EventIn = RtEvent extends infer E ? (E extends RtEvent ? Omit<E, 'at'> : never) : never;

const AUDIO = Buffer.alloc(160, 0x7f);

/** A Realtime call driven event by event on a manual clock; `busy` is the player. */
class Call {
  state: RealtimeTurnState = initialRealtimeState();
  now = 0;
  busy = false;
  tick(ms: number): this {
    this.now += ms;
    return this;
  }
  send(ev: EventIn): RtEffect[] {
    const r = reduceRealtime(this.state, { ...ev, at: this.now } as RtEvent, { busy: this.busy });
    this.state = r.state;
    return r.effects;
  }
  /** Connected after the cached greeting was heard. */
  ready(): this {
    this.send({ type: 'connected', greeted: true });
    return this;
  }
  /** The caller says item `item` and the server VAD ends it. */
  utterance(item: string): RtEffect[] {
    const a = this.tick(100).send({ type: 'speech_started', itemId: item });
    const b = this.tick(1500).send({ type: 'speech_stopped', itemId: item, audioEndMs: this.now });
    return [...a, ...b];
  }
  /** Response `id` starts and its first audio delta plays (the handle's first frame leaves). */
  answer(id: string): RtEffect[] {
    this.tick(200).send({ type: 'response_started', responseId: id });
    const play = this.tick(300).send({ type: 'audio', responseId: id, itemId: `${id}-item`, audio: AUDIO });
    this.busy = true;
    const started = this.send({ type: 'audio_started', turn: this.state.turn?.id ?? null });
    return [...play, ...started];
  }
}

const types = (effects: RtEffect[]) => effects.map((e) => e.type);

describe('realtime turn reducer', () => {
  it('greeting: the cached greeting heard → listening; connecting without one → the model greets', () => {
    const c = new Call();
    c.busy = true;
    expect(c.send({ type: 'connected', greeted: true })).toEqual([]);
    expect(c.state.floor).toBe('greeting');
    c.busy = false;
    c.send({ type: 'idle' });
    expect(c.state.floor).toBe('listening');

    const m = new Call();
    expect(m.send({ type: 'connected', greeted: false })).toEqual([{ type: 'model_greets' }]);
    expect(m.state.floor).toBe('listening');
    // The model's greeting answers no turn: its text goes to the transcript when done.
    m.send({ type: 'response_started', responseId: 'g' });
    expect(m.send({ type: 'response_done', responseId: 'g', status: 'completed' })).toEqual([
      { type: 'model_line', responseId: 'g' },
    ]);
  });

  it('one turn: listening → thinking → speaking → answer heard → listening, recorded once', () => {
    const c = new Call().ready();
    const opened = c.utterance('c1');
    expect(opened).toEqual([
      { type: 'turn', id: 0, itemId: 'c1', at: 100 },
      { type: 'thinking', id: 0, at: 1600, audioEndMs: 1600 },
      { type: 'respond' },
    ]);
    expect(c.state.floor).toBe('thinking');
    expect(c.send({ type: 'transcript', itemId: 'c1', text: 'כמה עולה תספורת?' })).toEqual([]);
    const played = c.answer('r1');
    expect(types(played)).toEqual(['play', 'speaking']);
    expect(played[1]).toEqual({ type: 'speaking', id: 0, at: 2100 });
    expect(c.state.floor).toBe('speaking');
    // More audio of the same response: played, no second `speaking`.
    expect(types(c.send({ type: 'audio', responseId: 'r1', itemId: 'r1-item', audio: AUDIO }))).toEqual([
      'play',
    ]);
    expect(c.send({ type: 'audio_started', turn: 0 })).toEqual([]);
    // Done while its audio still plays: recorded when heard.
    expect(c.send({ type: 'response_done', responseId: 'r1', status: 'completed' })).toEqual([]);
    expect(c.state.floor).toBe('speaking');
    c.busy = false;
    expect(c.tick(900).send({ type: 'idle' })).toEqual([
      { type: 'record', id: 0, interrupted: false, now: false },
    ]);
    expect(c.state.floor).toBe('listening');
    expect(c.state.turn).toBeNull();
    expect(c.send({ type: 'idle' })).toEqual([]);
    // The next utterance is turn 1.
    expect(c.utterance('c2')[0]).toMatchObject({ type: 'turn', id: 1 });
  });

  it('barge-in: speech over the answer pauses the line; sustained speech clears, cancels, truncates, records', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    // The server VAD hears speech: nothing is decided yet, the line goes quiet.
    expect(c.tick(800).send({ type: 'speech_started', itemId: 'c2' })).toEqual([{ type: 'pause' }]);
    const startedAt = c.now;
    expect(c.state.turn).toMatchObject({ id: 0 });
    expect(c.tick(300).send({ type: 'caller_audio', voicedMs: 400, quietMs: 0 })).toEqual([]);
    // 700 ms voiced: the real interruption.
    const fx = c.tick(300).send({ type: 'caller_audio', voicedMs: 700, quietMs: 0 });
    expect(fx).toEqual([
      { type: 'barge_in', responseId: 'r1', id: 0 },
      { type: 'record', id: 0, interrupted: true, now: false },
      { type: 'turn', id: 1, itemId: 'c2', at: startedAt },
    ]);
    expect(c.state.floor).toBe('listening');
    expect(c.state.barge).toBeNull();
    expect(c.state.response).toMatchObject({ id: 'r1', cancelled: true });
    // The cancelled response's late audio and end change nothing.
    expect(c.send({ type: 'audio', responseId: 'r1', itemId: 'r1-item', audio: AUDIO })).toEqual([]);
    c.busy = false;
    expect(c.send({ type: 'response_done', responseId: 'r1', status: 'cancelled' })).toEqual([]);
    expect(c.send({ type: 'idle' })).toEqual([]);
    expect(c.state.turn).toMatchObject({ id: 1, items: ['c2'] });
    // Its end: answered (the server creates no response itself).
    expect(types(c.tick(900).send({ type: 'speech_stopped', itemId: 'c2', audioEndMs: 5000 }))).toEqual([
      'thinking',
      'respond',
    ]);
  });

  it('a "כן" over the answer: paused, resumed after the burst, its backchannel transcript never answered', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    expect(c.tick(800).send({ type: 'speech_started', itemId: 'c2' })).toEqual([{ type: 'pause' }]);
    c.tick(100).send({ type: 'caller_audio', voicedMs: 300, quietMs: 0 });
    expect(c.tick(100).send({ type: 'caller_audio', voicedMs: 360, quietMs: 100 })).toEqual([]);
    // 200 ms of quiet: the burst is over, the answer goes on from where it paused.
    expect(c.tick(100).send({ type: 'caller_audio', voicedMs: 360, quietMs: 200 })).toEqual([
      { type: 'unpause' },
    ]);
    expect(c.state.barge).toMatchObject({ paused: false, stopped: null });
    // The server VAD's end of that item (its silence window later): no turn, no answer.
    expect(c.tick(500).send({ type: 'speech_stopped', itemId: 'c2', audioEndMs: 3000 })).toEqual([]);
    expect(c.send({ type: 'transcript', itemId: 'c2', text: 'כן.' })).toEqual([]);
    expect(c.state.barge).toBeNull();
    expect(c.state.turn).toMatchObject({ id: 0, phase: 'speaking' });
    expect(c.state.turns).toBe(1);
    // The answer ends as if nothing happened.
    c.send({ type: 'response_done', responseId: 'r1', status: 'completed' });
    c.busy = false;
    expect(c.send({ type: 'idle' })).toEqual([{ type: 'record', id: 0, interrupted: false, now: false }]);
  });

  it('speech_stopped while still paused releases the line; an empty transcript drops the burst', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.send({ type: 'speech_started', itemId: 'c2' });
    expect(c.tick(600).send({ type: 'speech_stopped', itemId: 'c2', audioEndMs: 3000 })).toEqual([
      { type: 'unpause' },
    ]);
    // Stopped: the caller's voiced count no longer interrupts.
    expect(c.send({ type: 'caller_audio', voicedMs: 900, quietMs: 0 })).toEqual([]);
    expect(c.send({ type: 'transcript', itemId: 'c2', text: '' })).toEqual([]);
    expect(c.state.barge).toBeNull();
  });

  it('a short burst with words (not a backchannel) is a real interruption once transcribed, answered at once', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.tick(800).send({ type: 'speech_started', itemId: 'c2' });
    const startedAt = c.now;
    c.tick(500).send({ type: 'caller_audio', voicedMs: 400, quietMs: 200 });
    c.tick(500).send({ type: 'speech_stopped', itemId: 'c2', audioEndMs: 4000 });
    const fx = c.tick(200).send({ type: 'transcript', itemId: 'c2', text: 'רגע' });
    expect(fx).toEqual([
      { type: 'barge_in', responseId: 'r1', id: 0 },
      { type: 'record', id: 0, interrupted: true, now: false },
      { type: 'turn', id: 1, itemId: 'c2', at: startedAt },
      { type: 'thinking', id: 1, at: c.now, audioEndMs: 4000 },
      { type: 'respond' },
    ]);
    expect(c.state.floor).toBe('thinking');
    expect(c.state.turn).toMatchObject({ id: 1, items: ['c2'], phase: 'thinking' });
  });

  it('the caller speaks again after a released burst: paused again; two items become one interrupting turn', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.send({ type: 'speech_started', itemId: 'c2' });
    c.tick(300).send({ type: 'caller_audio', voicedMs: 300, quietMs: 200 });
    // Voice again within the same server item.
    expect(c.tick(100).send({ type: 'caller_audio', voicedMs: 320, quietMs: 0 })).toEqual([
      { type: 'pause' },
    ]);
    c.tick(300).send({ type: 'speech_stopped', itemId: 'c2', audioEndMs: 2000 });
    // A new server item while released: paused again, then its words interrupt.
    expect(c.send({ type: 'speech_started', itemId: 'c3' })).toEqual([{ type: 'pause' }]);
    expect(c.state.barge).toMatchObject({ items: ['c2', 'c3'], paused: true, stopped: null });
    expect(c.send({ type: 'transcript', itemId: 'c2', text: 'אהה' })).toEqual([]);
    expect(c.state.barge).toMatchObject({ items: ['c3'], paused: true });
    const fx = c.send({ type: 'caller_audio', voicedMs: 800, quietMs: 0 });
    expect(types(fx)).toEqual(['barge_in', 'record', 'turn']);
    expect(c.state.turn).toMatchObject({ id: 1, items: ['c3'] });
  });

  it('"כן" over the end of the agent\'s question is its reply: no clear, answered once the question was heard', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.send({ type: 'response_done', responseId: 'r1', status: 'completed' });
    c.send({ type: 'speech_started', itemId: 'c2' });
    c.tick(400).send({ type: 'caller_audio', voicedMs: 360, quietMs: 200 });
    c.tick(500).send({ type: 'speech_stopped', itemId: 'c2', audioEndMs: 3000 });
    // "אהה" is no reply even then; "כן" is.
    expect(c.send({ type: 'transcript', itemId: 'c2', text: 'כן', agentAsking: true })).toEqual([]);
    expect(c.state.barge).toMatchObject({ reply: true });
    c.busy = false;
    expect(c.tick(800).send({ type: 'idle' })).toEqual([
      { type: 'record', id: 0, interrupted: false, now: false },
      { type: 'turn', id: 1, itemId: 'c2', at: 0 + 100 + 1500 + 200 + 300 },
      { type: 'thinking', id: 1, at: c.now, audioEndMs: 3000 },
      { type: 'respond' },
    ]);
    expect(c.state.barge).toBeNull();
  });

  it('"אהה" over the agent\'s question is still a backchannel; a reply heard after the question is answered at once', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.send({ type: 'response_done', responseId: 'r1', status: 'completed' });
    c.send({ type: 'speech_started', itemId: 'c2' });
    c.send({ type: 'speech_stopped', itemId: 'c2', audioEndMs: 3000 });
    expect(c.send({ type: 'transcript', itemId: 'c2', text: 'אהה', agentAsking: true })).toEqual([]);
    expect(c.state.barge).toBeNull();
    c.send({ type: 'speech_started', itemId: 'c3' });
    c.send({ type: 'speech_stopped', itemId: 'c3', audioEndMs: 4000 });
    c.busy = false;
    c.send({ type: 'idle' });
    const fx = c.send({ type: 'transcript', itemId: 'c3', text: 'בסדר', agentAsking: true });
    expect(types(fx)).toEqual(['turn', 'thinking', 'respond']);
  });

  it('the server still hears speech past interruptMs + its silence window: sustained, whatever the local VAD says', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.send({ type: 'speech_started', itemId: 'c2' });
    // The engine's VAD lost the speech (quiet): released …
    expect(c.tick(300).send({ type: 'caller_audio', voicedMs: 0, quietMs: Infinity })).toEqual([
      { type: 'unpause' },
    ]);
    expect(c.tick(1000).send({ type: 'caller_audio', voicedMs: 0, quietMs: Infinity })).toEqual([]);
    // … but no speech_stopped 1400 ms after speech_started: a real interruption.
    expect(types(c.tick(100).send({ type: 'caller_audio', voicedMs: 0, quietMs: Infinity }))).toEqual([
      'barge_in',
      'record',
      'turn',
    ]);
  });

  it('a goodbye over the agent interrupts and ends the call after its answer', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.send({ type: 'speech_started', itemId: 'c2' });
    c.send({ type: 'speech_stopped', itemId: 'c2', audioEndMs: 2000 });
    c.send({ type: 'transcript', itemId: 'c2', text: 'תודה, ביי' });
    expect(c.state.turn).toMatchObject({ id: 1, goodbye: true });
  });

  it('the call ends while a barge-in is open: the line is unpaused so the last line plays', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.send({ type: 'speech_started', itemId: 'c2' });
    expect(c.send({ type: 'ending' })).toEqual([{ type: 'unpause' }]);
    expect(c.state.barge).toBeNull();
    expect(c.send({ type: 'caller_audio', voicedMs: 900, quietMs: 0 })).toEqual([]);
  });

  it('barge-in over audio of no turn (the greeting): paused; sustained → cleared without a record', () => {
    const c = new Call();
    c.busy = true;
    c.send({ type: 'connected', greeted: true });
    expect(c.send({ type: 'speech_started', itemId: 'c1' })).toEqual([{ type: 'pause' }]);
    expect(c.tick(700).send({ type: 'caller_audio', voicedMs: 700, quietMs: 0 })).toEqual([
      { type: 'barge_in', responseId: null, id: null },
      { type: 'turn', id: 0, itemId: 'c1', at: 0 },
    ]);
    expect(c.state.floor).toBe('listening');
  });

  it('the caller goes on before any answer audio: the response is cancelled and both items are one turn', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.tick(200).send({ type: 'response_started', responseId: 'r1' });
    const fx = c.tick(100).send({ type: 'speech_started', itemId: 'c2' });
    expect(fx).toEqual([{ type: 'cancel_response' }, { type: 'merge', id: 0, itemId: 'c2' }]);
    expect(c.state.turn).toMatchObject({ id: 0, items: ['c1', 'c2'], phase: 'listening' });
    expect(c.state.floor).toBe('listening');
    // The merged turn thinks once its last item ends.
    c.tick(1200).send({ type: 'speech_stopped', itemId: 'c2', audioEndMs: 0 });
    expect(c.state.floor).toBe('thinking');
    c.answer('r2');
    c.send({ type: 'response_done', responseId: 'r2', status: 'completed' });
    c.busy = false;
    expect(c.send({ type: 'idle' })).toEqual([{ type: 'record', id: 0, interrupted: false, now: false }]);
    expect(c.state.turns).toBe(1);
  });

  it('a follow-up answer after the first one was heard takes the floor again (one speaking effect per turn)', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1'); // "רגע, אני בודק…" then a tool call
    c.send({ type: 'function_call', responseId: 'r1', call: { id: 'f1', name: 'x', arguments: '{}' } });
    c.send({ type: 'response_done', responseId: 'r1', status: 'completed' });
    c.busy = false;
    c.send({ type: 'idle' });
    expect(c.state.floor).toBe('listening');
    c.send({ type: 'tools_done', responseId: 'r1', ending: null });
    c.send({ type: 'response_started', responseId: 'r2' });
    c.send({ type: 'audio', responseId: 'r2', itemId: 'r2-item', audio: AUDIO });
    c.busy = true;
    expect(c.send({ type: 'audio_started', turn: 0 })).toEqual([]);
    expect(c.state.floor).toBe('speaking');
  });

  it('speech while other audio plays and the turn’s answer was already cancelled: merged, not recorded', () => {
    const c = new Call();
    c.busy = true; // the greeting plays on
    c.send({ type: 'connected', greeted: true });
    c.utterance('c1');
    c.send({ type: 'response_started', responseId: 'r1' });
    c.busy = false;
    c.send({ type: 'speech_started', itemId: 'c2' }); // cancelled, merged
    c.busy = true;
    expect(c.send({ type: 'speech_started', itemId: 'c3' })).toEqual([{ type: 'pause' }]);
    const fx = c.send({ type: 'caller_audio', voicedMs: 700, quietMs: 0 });
    expect(fx).toEqual([
      { type: 'barge_in', responseId: null, id: null },
      { type: 'merge', id: 0, itemId: 'c3' },
    ]);
  });

  it('a turn whose answer ran a tool is not merged into the next utterance', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.send({ type: 'response_started', responseId: 'r1' });
    c.send({
      type: 'function_call',
      responseId: 'r1',
      call: { id: 'f1', name: 'book_appointment', arguments: '{}' },
    });
    const fx = c.send({ type: 'speech_started', itemId: 'c2' });
    expect(types(fx)).toEqual(['cancel_response', 'record', 'turn']);
    expect(c.state.turn?.id).toBe(1);
  });

  it('tools: the results go back, the follow-up response answers the same turn; idle meanwhile does not end it', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.send({ type: 'response_started', responseId: 'r1' });
    const call = { id: 'f1', name: 'book_appointment', arguments: '{"time":"10:00"}' };
    expect(c.send({ type: 'function_call', responseId: 'r1', call })).toEqual([
      { type: 'run_tool', responseId: 'r1', call },
    ]);
    expect(c.send({ type: 'response_done', responseId: 'r1', status: 'completed' })).toEqual([
      { type: 'await_tools', responseId: 'r1' },
    ]);
    expect(c.send({ type: 'idle' })).toEqual([]);
    expect(c.state.turn?.followUp).toBe(true);
    expect(c.tick(50).send({ type: 'tools_done', responseId: 'r1', ending: null })).toEqual([
      { type: 'follow_up' },
    ]);
    c.answer('r2');
    expect(c.state.response).toMatchObject({ id: 'r2', turn: 0 });
    expect(c.state.floor).toBe('speaking');
    c.send({ type: 'response_done', responseId: 'r2', status: 'completed' });
    c.busy = false;
    expect(c.send({ type: 'idle' })).toEqual([{ type: 'record', id: 0, interrupted: false, now: false }]);
  });

  it('end_call from a tool: the turn is recorded once its audio was heard, then the call ends', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.send({
      type: 'function_call',
      responseId: 'r1',
      call: { id: 'f1', name: 'end_call', arguments: '{}' },
    });
    c.send({ type: 'response_done', responseId: 'r1', status: 'completed' });
    // Its goodbye still plays: no record yet.
    expect(c.send({ type: 'tools_done', responseId: 'r1', ending: 'end_call' })).toEqual([
      { type: 'end_call', id: 0, reason: 'agent_end_call' },
    ]);
    c.send({ type: 'ending' });
    expect(c.state.floor).toBe('ending');
    // The caller talking over the goodbye changes nothing now.
    expect(c.send({ type: 'speech_started', itemId: 'c2' })).toEqual([]);
    c.busy = false;
    expect(c.send({ type: 'idle' })).toEqual([{ type: 'record', id: 0, interrupted: false, now: false }]);
    expect(c.state.floor).toBe('ending');
    c.send({ type: 'hangup' });
    expect(c.state.floor).toBe('ended');
    expect(c.send({ type: 'speech_started', itemId: 'c3' })).toEqual([]);
  });

  it('transfer from a tool with its audio already heard: recorded at once, then the transfer', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.send({ type: 'response_started', responseId: 'r1' });
    c.send({
      type: 'function_call',
      responseId: 'r1',
      call: { id: 'f1', name: 'transfer_to_owner', arguments: '{}' },
    });
    c.send({ type: 'response_done', responseId: 'r1', status: 'completed' });
    expect(c.send({ type: 'tools_done', responseId: 'r1', ending: 'transfer' })).toEqual([
      { type: 'record', id: 0, interrupted: false, now: false },
      { type: 'transfer', id: 0 },
    ]);
    expect(c.state.turn).toBeNull();
  });

  it("the caller's goodbye: the model's answer, then end_call with reason goodbye", () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.send({ type: 'transcript', itemId: 'c1', text: 'תודה רבה, להתראות' });
    expect(c.state.turn?.goodbye).toBe(true);
    c.answer('r1');
    c.busy = false;
    expect(c.send({ type: 'response_done', responseId: 'r1', status: 'completed' })).toEqual([
      { type: 'record', id: 0, interrupted: false, now: false },
      { type: 'end_call', id: 0, reason: 'goodbye' },
    ]);
  });

  it('hang-up mid-answer records the turn now as unfinished; after a finished answer as it was', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    expect(c.send({ type: 'hangup' })).toEqual([
      { type: 'record', id: 0, interrupted: true, errorCode: 'caller_hangup', now: true },
    ]);
    expect(c.state.floor).toBe('ended');

    const d = new Call().ready();
    d.utterance('c1');
    d.send({ type: 'response_started', responseId: 'r1' });
    d.send({ type: 'response_done', responseId: 'r1', status: 'completed' });
    // (nothing played: recorded at once, the next one opens)
    d.utterance('c2');
    expect(d.send({ type: 'hangup' })).toEqual([{ type: 'record', id: 1, interrupted: false, now: true }]);
  });

  it('the owner cuts the call (cut ending): the open turn is recorded now, the floor is ending', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    expect(c.send({ type: 'ending', cut: true })).toEqual([
      { type: 'record', id: 0, interrupted: true, errorCode: 'caller_hangup', now: true },
    ]);
    expect(c.state.floor).toBe('ending');
  });

  it('the model socket closing: the open turn is recorded with realtime_closed, then the pipeline', () => {
    const c = new Call().ready();
    c.utterance('c1');
    expect(c.send({ type: 'closed' })).toEqual([
      { type: 'record', id: 0, interrupted: false, errorCode: 'realtime_closed', now: true },
      { type: 'degrade' },
    ]);
    const e = new Call().ready();
    e.send({ type: 'ending' });
    expect(e.send({ type: 'closed' })).toEqual([]);
  });

  it('speech again after the answer was heard but before the follow-up: the old turn is recorded, not lost', () => {
    const c = new Call().ready();
    c.utterance('c1');
    c.answer('r1');
    c.send({ type: 'function_call', responseId: 'r1', call: { id: 'f1', name: 'x', arguments: '{}' } });
    c.send({ type: 'response_done', responseId: 'r1', status: 'completed' });
    c.busy = false;
    c.send({ type: 'idle' });
    expect(c.state.floor).toBe('listening');
    const fx = c.send({ type: 'speech_started', itemId: 'c2' });
    expect(fx).toEqual([
      { type: 'record', id: 0, interrupted: false, now: false },
      { type: 'turn', id: 1, itemId: 'c2', at: c.now },
    ]);
    // Its tools' end no longer belongs to an open turn: no follow-up.
    expect(c.send({ type: 'tools_done', responseId: 'r1', ending: null })).toEqual([]);
  });
});
