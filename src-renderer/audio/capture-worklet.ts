/**
 * AudioWorklet: the microphone at the context's rate → 8 kHz μ-law 20 ms frames, posted to the
 * main thread with their level. Runs on the audio thread; bundled as its own file by Vite.
 */
import { FrameEncoder } from './g711';

// The AudioWorkletGlobalScope is not in TypeScript's DOM lib.
declare const sampleRate: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

class MicrophoneFrames extends AudioWorkletProcessor {
  private readonly encoder = new FrameEncoder(sampleRate, (frame, levelDb) =>
    this.port.postMessage({ frame, levelDb }, [frame.buffer]),
  );

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (channel) this.encoder.push(channel);
    return true;
  }
}

registerProcessor('agentlocator-microphone', MicrophoneFrames);
