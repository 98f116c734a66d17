/**
 * A test call from the app: the microphone goes to the agent as 8 kHz μ-law frames over the
 * audio channel (the same session code as a phone call), and the agent's frames play on the
 * speakers. Marks are echoed when the audio before them has played; `clear` (barge-in) drops
 * queued audio at once.
 */
import { TEST_CALL_PATH, type TestCallServerMessage } from '../../src-main/api/contract/app-audio';
import { startMicrophone, type Microphone } from './capture';
import { openAudioChannel, type AudioChannel } from './channel';
import { base64ToBytes, bytesToBase64, MULAW_SILENCE } from './g711';
import { FramePlayer } from './player';

export type TestCallPhase = 'idle' | 'starting' | 'connected' | 'ended' | 'error';
export type TestCallError = 'mic_denied' | 'no_mic' | 'unsupported' | 'refused';

export interface TestCallStatus {
  phase: TestCallPhase;
  callSid?: string;
  callId?: number | null;
  startedAt?: number;
  endReason?: string;
  error?: TestCallError;
  muted: boolean;
}

export class TestCall {
  private status: TestCallStatus = { phase: 'idle', muted: false };
  private context: AudioContext | undefined;
  private channel: AudioChannel | undefined;
  private mic: Microphone | undefined;
  private player: FramePlayer | undefined;
  private micDb = -Infinity;
  private live = false;
  private silence = new Uint8Array(160).fill(MULAW_SILENCE);

  constructor(private readonly onChange: (s: TestCallStatus) => void) {}

  get state(): TestCallStatus {
    return this.status;
  }

  /** Microphone and agent levels (dBFS) for meters. */
  levels(): { mic: number; agent: number } {
    return { mic: this.status.muted ? -Infinity : this.micDb, agent: this.player?.levelDb ?? -Infinity };
  }

  async start(): Promise<void> {
    if (this.status.phase === 'starting' || this.status.phase === 'connected') return;
    this.update({ phase: 'starting', muted: false });
    if (!navigator.mediaDevices?.getUserMedia || typeof AudioContext === 'undefined')
      return this.fail('unsupported');
    let context: AudioContext;
    try {
      context = this.context = new AudioContext({ latencyHint: 'interactive' });
      await context.resume();
      this.player = new FramePlayer(context, context.destination, 60);
    } catch {
      return this.fail('no_mic');
    }
    // The channel before the microphone: under Electron the main process grants the microphone
    // only while a test call's channel is open.
    let channel: AudioChannel;
    try {
      channel = await openAudioChannel(TEST_CALL_PATH);
    } catch {
      return this.fail('refused');
    }
    if (this.context !== context) return channel.close(); // hung up meanwhile
    this.channel = channel;
    channel.onMessage = (text) => this.onMessage(text);
    channel.onClose = () => this.finish(this.status.endReason ?? 'ended');
    let mic: Microphone;
    try {
      mic = await startMicrophone(context, (frame, levelDb) => this.onMicFrame(frame, levelDb));
    } catch (e) {
      if (this.channel !== channel) return; // the call ended while the microphone was asked for
      const name = (e as { name?: string }).name;
      return this.fail(name === 'NotAllowedError' || name === 'SecurityError' ? 'mic_denied' : 'no_mic');
    }
    if (this.channel !== channel) return mic.stop();
    this.mic = mic;
    // The session starts (and greets) once the microphone runs.
    channel.send('{"event":"start"}');
    this.live = true;
  }

  hangup(): void {
    if (this.status.phase !== 'connected' && this.status.phase !== 'starting') return;
    this.channel?.send('{"event":"stop"}');
    this.finish('hangup');
  }

  setMuted(muted: boolean): void {
    this.update({ muted });
  }

  /** Stops everything without a reason shown (the page went away). */
  dispose(): void {
    if (this.status.phase === 'connected') this.channel?.send('{"event":"stop"}');
    this.teardown();
  }

  private onMicFrame(frame: Uint8Array, levelDb: number): void {
    this.micDb = levelDb;
    if (!this.live || !this.channel) return;
    const payload = bytesToBase64(this.status.muted ? this.silence : frame);
    this.channel.send(`{"event":"media","media":{"payload":"${payload}"}}`);
  }

  private onMessage(text: string): void {
    let msg: TestCallServerMessage;
    try {
      msg = JSON.parse(text) as TestCallServerMessage;
    } catch {
      return;
    }
    switch (msg.event) {
      case 'media':
        this.player?.push(base64ToBytes(msg.media.payload));
        return;
      case 'mark': {
        const reply = JSON.stringify({ event: 'mark', mark: { name: msg.mark.name } });
        this.player?.mark(() => this.channel?.send(reply));
        return;
      }
      case 'clear':
        this.player?.clear();
        return;
      case 'started':
        this.update({ phase: 'connected', callSid: msg.callSid, callId: msg.callId, startedAt: Date.now() });
        return;
      case 'ended':
        this.finish(msg.reason);
        return;
    }
  }

  private fail(error: TestCallError): void {
    this.teardown();
    this.update({ phase: 'error', error });
  }

  private finish(reason: string): void {
    if (this.status.phase === 'ended' || this.status.phase === 'error') return;
    this.teardown();
    this.update({ phase: 'ended', endReason: reason });
  }

  private teardown(): void {
    this.live = false;
    this.mic?.stop();
    this.player?.close();
    if (this.channel) {
      this.channel.onClose = null;
      this.channel.onMessage = null;
      this.channel.close();
    }
    void this.context?.close().catch(() => undefined);
    this.mic = undefined;
    this.player = undefined;
    this.channel = undefined;
    this.context = undefined;
    this.micDb = -Infinity;
  }

  private update(patch: Partial<TestCallStatus>): void {
    this.status = { ...this.status, ...patch };
    this.onChange(this.status);
  }
}
