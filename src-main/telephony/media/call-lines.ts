/**
 * The session's fixed lines (greeting, filler, sorry) and how a call ends, for both engines: goodbye (ended_by first, the line, its playout, the REST
 * hang-up), the owner's hang-up from the monitor, the transfer to the owner (<Dial> by REST
 * redirect) and the hand-over to the recording fallback (the unavailable line, then the stream
 * closes so Twilio's <Connect action> records a message).
 */
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { Business } from '../../api/contract/business';
import { greetingText, TRANSFER_TEXT, UNAVAILABLE_TEXT } from '../../agent/prompt';
import type { SpeechService } from '../../agent/speech';
import type { Logger } from '../../platform/logger';
import { toE164 } from '../../platform/phone';
import type { Speaker } from './speech-handle';
import type { CallControl, SessionState } from './types';

export interface EndingHost {
  log(): Logger;
  callSid(): string;
  state(): SessionState;
  finalized(): boolean;
  business(): Business;
  speech: SpeechService;
  control(): CallControl | null;
  speaker: Speaker;
  playerBusy(): boolean;
  markGraceMs: number;
  /** The session moves to `ending` and tells its engine (`cut`: the agent stops talking now). */
  beginEnding(endedBy: string | null, cut: boolean): void;
  addTranscript(text: string): void;
  closeTransport(code: number, reason: string): void;
}

export class CallLines {
  private idleWaiters: Array<() => void> = [];
  private endTimer: NodeJS.Timeout | undefined;
  private closeNow: () => void = () => undefined;
  /** Settles when the call is over (no line waits past it). */
  private readonly closed = new Promise<void>((resolve) => (this.closeNow = resolve));

  constructor(private readonly host: EndingHost) {}

  /** The player has nothing left to play. */
  idle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** The call is over: no timer or waiter outlives it. */
  close(): void {
    if (this.endTimer) clearTimeout(this.endTimer);
    this.closeNow();
    this.idle();
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    if (!this.host.playerBusy()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve();
      }, timeoutMs);
      timer.unref?.();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
    });
  }

  /** What is queued, played out (at most the grace past it). */
  private playout(): Promise<void> {
    return this.waitIdle((this.host.playerBusy() ? 30_000 : 0) + this.host.markGraceMs);
  }

  /** A fixed line on its own speech handle, played out. */
  private async sayLine(text: string, phrase: 'goodbye' | 'transfer' | 'unavailable'): Promise<void> {
    const r = await this.host.speech.line(text, phrase).catch(() => undefined);
    if (!r?.audio.length || this.host.finalized()) return this.playout();
    const behind = this.host.playerBusy() ? 30_000 : 0;
    const handle = this.host.speaker.handle(phrase);
    handle.say(r.audio, text);
    // Heard once its last mark is back (everything before it was heard first); at most the grace
    // past its length (and what plays before it) when marks stop coming.
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, behind + r.audio.length / 8 + this.host.markGraceMs);
      timer.unref?.();
    });
    await Promise.race([handle.waitForPlayout(), grace, this.closed]);
    clearTimeout(timer);
  }

  /** The cached greeting on its own speech handle; its text, or null if none plays. */
  async greet(): Promise<string | null> {
    const text = greetingText(this.host.business());
    try {
      const r = await this.host.speech.line(text, 'greeting');
      if (this.host.state() !== 'greeting' || this.host.finalized() || !r.audio.length) return null;
      this.host.addTranscript(text);
      this.host.speaker.handle('greeting').say(r.audio, text);
      this.host.log().info({ provider: r.provider, cached: r.cached, ms: r.ms }, 'greeting playing');
      return text;
    } catch (err) {
      this.host.log().error({ err }, 'greeting failed');
      return null;
    }
  }

  /** A filler or sorry line, queued only if still wanted once rendered. */
  async line(
    text: string,
    phrase: 'filler' | 'sorry',
    onStart: ((at: number) => void) | undefined,
    stillWanted: () => boolean,
  ): Promise<boolean> {
    try {
      const r = await this.host.speech.line(text, phrase);
      if (this.host.finalized() || !stillWanted()) return false;
      this.host.speaker.handle(phrase, onStart).say(r.audio, text);
      return true;
    } catch (err) {
      this.host.log().warn({ err, phrase }, 'line failed');
      return false;
    }
  }

  private get over(): boolean {
    const s = this.host.state();
    return s === 'ending' || s === 'ended';
  }

  async endCall(reason: string, line: string | null, beforeHangup?: () => void): Promise<void> {
    if (this.over) return;
    this.host.beginEnding(reason, false);
    this.host.log().info({ reason }, 'ending the call');
    if (line) await this.sayLine(line, 'goodbye');
    else await this.playout();
    beforeHangup?.();
    await this.hangupNow(reason);
  }

  async hangupNowFromMonitor(): Promise<void> {
    if (this.host.state() === 'ended') return;
    this.host.beginEnding('owner_hangup', true);
    await this.hangupNow('owner_hangup');
  }

  private async hangupNow(reason: string): Promise<void> {
    const log = this.host.log();
    const control = this.host.control();
    if (!control) {
      log.warn({ reason }, 'no Twilio credentials: closing the stream instead of a REST hang-up');
      this.host.closeTransport(1000, reason);
      return;
    }
    try {
      const r = await control.hangup(this.host.callSid());
      log.info({ reason, result: r }, 'call hung up');
    } catch (err) {
      log.error({ err }, 'REST hang-up failed; closing the stream');
      this.host.closeTransport(1000, reason);
    }
    // Twilio sends `stop` when the call ends; do not wait forever for it.
    this.endTimer = setTimeout(() => this.host.closeTransport(1000, 'ended'), 5000);
    this.endTimer.unref?.();
  }

  /** `settled`: the model asked for it; its answer plays to the end first (else the agent stops now). */
  async transfer(reason: string, settled?: () => void): Promise<{ ok: boolean; error?: string }> {
    if (this.over) return { ok: false, error: 'ending' };
    const log = this.host.log();
    const owner = toE164(this.host.business().ownerPhone);
    const control = this.host.control();
    if (!owner || !control) {
      log.warn({ owner: !!owner, control: !!control }, 'transfer unavailable');
      settled?.();
      return { ok: false, error: owner ? 'no_twilio' : 'no_owner_phone' };
    }
    this.host.beginEnding('transfer', !settled);
    await this.sayLine(TRANSFER_TEXT, 'transfer');
    settled?.();
    const vr = new VoiceResponse();
    const dial = vr.dial({ answerOnBridge: true, timeout: 25 });
    dial.number(owner);
    try {
      const res = await control.redirect(this.host.callSid(), vr.toString());
      log.info({ reason, result: res }, 'call transferred to the owner');
      return { ok: true };
    } catch (err) {
      log.error({ err }, 'transfer failed');
      return { ok: false, error: 'rest_failed' };
    }
  }

  async handOver(reason: string): Promise<void> {
    this.host.beginEnding(null, false);
    this.host.addTranscript(UNAVAILABLE_TEXT);
    await this.sayLine(UNAVAILABLE_TEXT, 'unavailable');
    this.host.log().info({ reason }, 'closing the stream for the recording fallback');
    this.host.closeTransport(1000, reason);
  }
}
