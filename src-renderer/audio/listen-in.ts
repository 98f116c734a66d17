/**
 * Listen-in on a live call: the caller's (inbound) and the agent's (outbound) μ-law frames play
 * mixed through two gains, either of which can be muted. Each track has its own jitter buffer;
 * the agent's `clear` (barge-in) drops its queued audio.
 */
import {
  LISTEN_PATH_PREFIX,
  type ListenServerMessage,
  type ListenTrack,
} from '../../src-main/api/contract/app-audio';
import { openAudioChannel, type AudioChannel } from './channel';
import { base64ToBytes } from './g711';
import { FramePlayer } from './player';

export type ListenPhase = 'idle' | 'connecting' | 'listening' | 'ended' | 'error';
export interface ListenStatus {
  phase: ListenPhase;
  reason?: string;
  tracks: Record<ListenTrack, boolean>;
}

export class ListenIn {
  private status: ListenStatus = { phase: 'idle', tracks: { inbound: true, outbound: true } };
  private context: AudioContext | undefined;
  private channel: AudioChannel | undefined;
  private players: Partial<Record<ListenTrack, FramePlayer>> = {};
  private gains: Partial<Record<ListenTrack, GainNode>> = {};

  constructor(
    private readonly callSid: string,
    private readonly onChange: (s: ListenStatus) => void,
  ) {}

  levels(): Record<ListenTrack, number> {
    return {
      inbound: this.status.tracks.inbound ? (this.players.inbound?.levelDb ?? -Infinity) : -Infinity,
      outbound: this.status.tracks.outbound ? (this.players.outbound?.levelDb ?? -Infinity) : -Infinity,
    };
  }

  async start(): Promise<void> {
    if (this.status.phase === 'connecting' || this.status.phase === 'listening') return;
    this.update({ phase: 'connecting', reason: undefined });
    try {
      const context = new AudioContext({ latencyHint: 'interactive' });
      this.context = context;
      await context.resume();
      for (const track of ['inbound', 'outbound'] as const) {
        const gain = context.createGain();
        gain.gain.value = this.status.tracks[track] ? 1 : 0;
        gain.connect(context.destination);
        this.gains[track] = gain;
        this.players[track] = new FramePlayer(context, gain, 120);
      }
      this.channel = await openAudioChannel(`${LISTEN_PATH_PREFIX}${encodeURIComponent(this.callSid)}`);
    } catch {
      this.teardown();
      this.update({ phase: 'error', reason: 'refused' });
      return;
    }
    this.channel.onMessage = (text) => this.onMessage(text);
    this.channel.onClose = () => this.end(this.status.reason ?? 'ended');
  }

  setTrack(track: ListenTrack, on: boolean): void {
    const gain = this.gains[track];
    if (gain && this.context) gain.gain.setTargetAtTime(on ? 1 : 0, this.context.currentTime, 0.02);
    this.update({ tracks: { ...this.status.tracks, [track]: on } });
  }

  stop(): void {
    this.end('stopped');
  }

  private onMessage(text: string): void {
    let msg: ListenServerMessage;
    try {
      msg = JSON.parse(text) as ListenServerMessage;
    } catch {
      return;
    }
    if (msg.event === 'media') this.players[msg.track]?.push(base64ToBytes(msg.payload));
    else if (msg.event === 'clear') this.players[msg.track]?.clear();
    else if (msg.event === 'start') this.update({ phase: 'listening' });
    else if (msg.event === 'stop') this.end(msg.reason);
  }

  private end(reason: string): void {
    if (this.status.phase === 'ended' || this.status.phase === 'idle') return;
    this.teardown();
    this.update({ phase: 'ended', reason });
  }

  private teardown(): void {
    for (const p of Object.values(this.players)) p.close();
    if (this.channel) {
      this.channel.onClose = null;
      this.channel.onMessage = null;
      this.channel.close();
    }
    void this.context?.close().catch(() => undefined);
    this.players = {};
    this.gains = {};
    this.channel = undefined;
    this.context = undefined;
  }

  private update(patch: Partial<ListenStatus>): void {
    this.status = { ...this.status, ...patch };
    this.onChange(this.status);
  }
}
