/**
 * The microphone as 8 kHz μ-law 20 ms frames: getUserMedia (echo cancellation, noise
 * suppression) → AudioWorklet (or a ScriptProcessor where worklets are unavailable) → frames.
 */
import workletUrl from './capture-worklet.ts?worker&url';
import { FrameEncoder } from './g711';

export interface Microphone {
  readonly context: AudioContext;
  readonly kind: 'worklet' | 'script-processor';
  stop(): void;
}

export async function startMicrophone(
  context: AudioContext,
  onFrame: (frame: Uint8Array, levelDb: number) => void,
): Promise<Microphone> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  const source = context.createMediaStreamSource(stream);
  // Nothing of the microphone is played: the node graph ends in a muted gain.
  const sink = context.createGain();
  sink.gain.value = 0;
  sink.connect(context.destination);
  let node: AudioNode;
  let kind: Microphone['kind'];
  try {
    if (!context.audioWorklet) throw new Error('no AudioWorklet');
    await context.audioWorklet.addModule(workletUrl);
    const worklet = new AudioWorkletNode(context, 'agentlocator-microphone', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      channelCount: 1,
      channelCountMode: 'explicit',
    });
    worklet.port.onmessage = (e: MessageEvent<{ frame: Uint8Array; levelDb: number }>) =>
      onFrame(e.data.frame, e.data.levelDb);
    node = worklet;
    kind = 'worklet';
  } catch {
    const processor = context.createScriptProcessor(1024, 1, 1);
    const encoder = new FrameEncoder(context.sampleRate, (frame, levelDb) => onFrame(frame, levelDb));
    processor.onaudioprocess = (e) => encoder.push(e.inputBuffer.getChannelData(0));
    node = processor;
    kind = 'script-processor';
  }
  source.connect(node);
  node.connect(sink);
  return {
    context,
    kind,
    stop() {
      for (const t of stream.getTracks()) t.stop();
      source.disconnect();
      node.disconnect();
      sink.disconnect();
      if (node instanceof AudioWorkletNode) node.port.onmessage = null;
    },
  };
}
