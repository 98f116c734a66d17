/**
 * The call's outbound audio: the paced player writing Twilio media/mark/clear frames to the
 * transport (and a copy to listen-in), with the Speaker that turns its items into speech handles.
 */
import type { Clock } from '../../platform/clock';
import { OutboundPlayer, type PlayerEvents } from './player';
import { outClear, outMark, outMedia } from './protocol';
import { Speaker } from './speech-handle';
import type { AudioTap, MediaTransport } from './types';

export function callAudio(
  transport: MediaTransport,
  line: { streamSid(): string; tap(): AudioTap | undefined },
  clock: Clock,
  pacing: { leadMs: number; markEveryMs: number },
  events: Required<Pick<PlayerEvents, 'onIdle' | 'onFrame'>>,
): { player: OutboundPlayer; speaker: Speaker } {
  const player = new OutboundPlayer(
    {
      media: (p) => {
        transport.send(outMedia(line.streamSid(), p));
        line.tap()?.outbound(p);
      },
      mark: (n) => transport.send(outMark(line.streamSid(), n)),
      clear: () => {
        transport.send(outClear(line.streamSid()));
        line.tap()?.clear();
      },
    },
    () => clock.monotonic(),
    {
      // Each utterance hears of its items through its speech handle (the Speaker).
      onItemStart: (id, at) => speaker.itemStarted(id, at),
      onItemHeard: (id) => speaker.itemHeard(id),
      onIdle: events.onIdle,
      onFrame: events.onFrame,
    },
    pacing,
  );
  const speaker = new Speaker(player);
  return { player, speaker };
}
