/**
 * The paced player's barge-in controls on a manual clock: `lean` keeps the lead short while the
 * caller may be talking over the agent, `pause` stops sending (what was sent plays out), and
 * `resume` goes on from the next unsent frame — no `clear`, nothing lost or sent twice.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutboundPlayer } from '../../src-main/telephony/media/player';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

function rig() {
  let now = 0;
  const sent: Buffer[] = [];
  let clears = 0;
  const player = new OutboundPlayer(
    {
      media: (b64) => sent.push(Buffer.from(b64, 'base64')),
      mark: () => undefined,
      clear: () => void clears++,
    },
    () => now,
    {},
    { leadMs: 160, leanLeadMs: 60, markEveryMs: 200, tickMs: 20 },
  );
  /** Real time passes, one 20 ms tick at a time. */
  const pass = (ms: number) => {
    for (let i = 0; i < ms / 20; i++) {
      now += 20;
      vi.advanceTimersByTime(20);
    }
  };
  return { player, sent, pass, clears: () => clears };
}

/** 1 s of audio whose every 20 ms frame is numbered by its first byte. */
const numbered = () => {
  const b = Buffer.alloc(8000);
  for (let f = 0; f < 50; f++) b.fill(f, f * 160, (f + 1) * 160);
  return b;
};

describe('outbound player: pause, resume, lean lead', () => {
  it('pause silences the line after what was sent; resume goes on from the next frame', () => {
    const r = rig();
    r.player.enqueue({ id: 'a', audio: numbered(), text: 'תשובה' });
    expect(r.sent, 'the normal lead: 160 ms ahead').toHaveLength(8);
    r.player.lean(true);
    r.pass(200);
    // 200 ms played; the lead shrank to 60 ms while the caller talks.
    expect(r.sent).toHaveLength(13);
    r.player.pause();
    expect(r.player.isPaused).toBe(true);
    r.pass(400);
    expect(r.sent, 'nothing leaves while paused').toHaveLength(13);
    expect(r.player.busy).toBe(true);
    r.player.lean(false);
    r.player.resume();
    expect(r.sent).toHaveLength(21);
    expect(r.sent.map((f) => f[0])).toEqual([...Array(21).keys()]);
    expect(r.clears()).toBe(0);
  });

  it('a clear ends a pause and empties the line: the next answer leaves at once, a full lead ahead', () => {
    const r = rig();
    r.player.enqueue({ id: 'a', audio: numbered(), text: 'תשובה' });
    r.player.pause();
    r.player.clear();
    expect(r.clears()).toBe(1);
    r.player.enqueue({ id: 'b', audio: numbered(), text: 'אחרת' });
    expect(r.sent).toHaveLength(16);
  });
});
