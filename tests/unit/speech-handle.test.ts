/**
 * Speech handles on a real paced player (fake sink, manual clock, a lead long enough that every
 * frame leaves at once): playback is tracked per utterance, not by id prefixes.
 */
import { describe, expect, it } from 'vitest';
import { OutboundPlayer } from '../../src-main/telephony/media/player';
import { Speaker } from '../../src-main/telephony/media/speech-handle';

function rig() {
  const marks: string[] = [];
  let clears = 0;
  let now = 0;
  const player = new OutboundPlayer(
    { media: () => undefined, mark: (n) => marks.push(n), clear: () => void clears++ },
    () => now,
    {
      onItemStart: (id, at) => speaker.itemStarted(id, at),
      onItemHeard: (id) => speaker.itemHeard(id),
    },
    { leadMs: 60_000, markEveryMs: 200 },
  );
  const speaker = new Speaker(player);
  /** Twilio echoes marks up to the n-th one sent (the caller heard that far). */
  const hear = (n = marks.length) => {
    if (n > 0) player.handleMark(marks[n - 1]!);
  };
  return { player, speaker, marks, hear, clears: () => clears, tick: (ms: number) => (now += ms) };
}

const audio = (ms: number) => Buffer.alloc(ms * 8, 0x7f);

describe('speech handles', () => {
  it('each utterance knows its start, its heard text and its playout', async () => {
    const r = rig();
    const started: number[] = [];
    const a = r.speaker.handle('answer', (at) => started.push(at));
    a.say(audio(400), 'שלום לכם.');
    a.say(audio(400), 'מה שלומכם?');
    expect(started).toEqual([0]);
    let played = false;
    const playout = a.waitForPlayout().then(() => (played = true));
    expect(a.heardText()).toBe('');
    r.hear();
    await playout;
    expect(played).toBe(true);
    expect(a.heardText()).toBe('שלום לכם. מה שלומכם?');
  });

  it('a clear keeps the heard head of the cut piece; the rest waits, held, and plays on release', () => {
    const r = rig();
    const greeting = r.speaker.handle('greeting');
    greeting.say(audio(200), 'ברוכים הבאים');
    r.hear(1);
    const a = r.speaker.handle('answer');
    const before = r.marks.length;
    a.say(audio(800), 'אחת שתיים שלוש ארבע');
    a.say(audio(400), 'חמש שש');
    r.hear(before + 1); // the first 200 ms of the first answer piece heard
    r.speaker.clear();
    expect(r.clears()).toBe(1);
    expect(greeting.heardText()).toBe('ברוכים הבאים');
    expect(a.heardText()).toBe('אחת');
    expect(a.isHeld).toBe(true);
    expect(a.pendingText()).toBe('שתיים שלוש ארבע חמש שש');
    expect(r.speaker.heldHandles()).toEqual([a]);
    expect(r.player.busy).toBe(false);
    a.say(audio(200), 'שבע'); // said while held: waits behind the cut rest
    a.release();
    expect(r.player.busy).toBe(true);
    r.hear();
    expect(a.heardText()).toBe('אחת שתיים שלוש ארבע חמש שש שבע');
  });

  it('interrupt() drops what is left and settles its playout', async () => {
    const r = rig();
    const a = r.speaker.handle('answer');
    a.hold();
    a.say(audio(200), 'לא יישמע');
    const playout = a.waitForPlayout();
    a.interrupt();
    await playout;
    a.release();
    a.say(audio(200), 'גם לא');
    expect(r.player.busy).toBe(false);
    expect(a.interrupted).toBe(true);
    expect(a.heardText()).toBe('');
  });
});
