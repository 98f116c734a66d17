/**
 * What the Realtime engine truncates at barge-in, from the speech handle's heard ms on a real
 * paced player (fake sink, manual clock): whole pieces heard by their marks, plus the heard head
 * of the piece a clear cut — the same accounting the pipeline's heard text uses.
 */
import { describe, expect, it } from 'vitest';
import { OutboundPlayer } from '../../src-main/telephony/media/player';
import { truncation } from '../../src-main/telephony/media/realtime-support';
import { Speaker } from '../../src-main/telephony/media/speech-handle';

function rig() {
  const marks: string[] = [];
  const player = new OutboundPlayer(
    { media: () => undefined, mark: (n) => marks.push(n), clear: () => undefined },
    () => 0,
    {
      onItemStart: (id, at) => speaker.itemStarted(id, at),
      onItemHeard: (id) => speaker.itemHeard(id),
    },
    { leadMs: 60_000, markEveryMs: 200 },
  );
  const speaker = new Speaker(player);
  return { speaker, hear: (n: number) => player.handleMark(marks[n - 1]!), marks };
}

const audio = (ms: number) => Buffer.alloc(ms * 8, 0x7f);

describe('realtime truncation by the speech handle', () => {
  it('heard ms: whole pieces by their marks, then the heard head of the cut piece', () => {
    const r = rig();
    const h = r.speaker.handle('answer');
    h.say(audio(300), '');
    h.say(audio(500), '');
    // A partial last frame counts as a whole one, as the player sends it.
    h.say(Buffer.alloc(170, 0x7f), '');
    expect(h.audioMs).toBe(300 + 500 + 40);
    expect(h.heardMs).toBe(0);
    // Marks: piece 1 at 200 and its end (300); piece 2 at 200, 400 and its end.
    r.hear(2);
    expect(h.heardMs).toBe(300);
    r.hear(4);
    expect(h.heardMs).toBe(300);
    r.speaker.clear();
    expect(h.heardMs).toBe(300 + 400);
    h.interrupt();
    expect(h.heardMs).toBe(700);
  });

  it('truncates the item playing at the heard position, in that item’s own ms', () => {
    const spans = [
      { itemId: 'a', fromMs: 0 },
      { itemId: 'b', fromMs: 600 },
    ];
    expect(truncation(spans, { heardMs: 400, audioMs: 1000 }, false)).toEqual({ itemId: 'a', ms: 400 });
    expect(truncation(spans, { heardMs: 600, audioMs: 1000 }, false)).toEqual({ itemId: 'b', ms: 0 });
    expect(truncation(spans, { heardMs: 820, audioMs: 1000 }, true)).toEqual({ itemId: 'b', ms: 220 });
    // All of a finished response was heard: nothing to truncate.
    expect(truncation(spans, { heardMs: 1000, audioMs: 1000 }, true)).toBeUndefined();
    // All heard but more is coming: the last item, at its heard end.
    expect(truncation(spans, { heardMs: 1000, audioMs: 1000 }, false)).toEqual({ itemId: 'b', ms: 400 });
    expect(truncation([], { heardMs: 0, audioMs: 0 }, false)).toBeUndefined();
  });
});
