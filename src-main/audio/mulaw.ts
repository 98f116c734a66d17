/** μ-law into Node Buffers (the codec itself is `g711.ts`, shared with the renderer). */
import { mulawEncodeInto } from './g711';

export { MULAW_SILENCE, mulawDecode, mulawLevelDb } from './g711';

export function mulawEncode(input: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  mulawEncodeInto(input, out);
  return out;
}
