/**
 * The VAD a real core gives its calls: the energy detector by default (/readyz vad: disabled);
 * the `vad` setting picks Silero at 8 or 16 kHz once its model has loaded (/readyz vad: ok; the
 * voice rig waits for the load); a turn is heard and answered with each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startVoiceRig, turnRows, type VoiceRig } from '../helpers/voice';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const readyz = async (r: VoiceRig) =>
  (await (await fetch(`${r.t.publicUrl}/readyz`)).json()) as { vad?: string };

async function oneTurn(r: VoiceRig): Promise<string> {
  r.openai.setDefaultChat(() => 'בשמחה, מחר בעשר.');
  const c = await r.connect({ speed: 2 });
  c.start();
  await c.waitFor(() => r.voice.registry.get(c.callSid) != null, 3000);
  const kind = r.voice.registry.get(c.callSid)!.vadKind;
  r.caller.text = 'אני רוצה לקבוע תור למחר.';
  await c.quiet(600);
  await c.say('book');
  await c.quiet(400);
  const until = Date.now() + 10_000;
  while (turnRows(r, c.callSid).length < 1 && Date.now() < until)
    await new Promise((res) => setTimeout(res, 25));
  expect(turnRows(r, c.callSid)).toHaveLength(1);
  expect(turnRows(r, c.callSid)[0]!.callerText).toBe('אני רוצה לקבוע תור למחר.');
  c.stop();
  return kind;
}

describe('voice activity detection in a running core', () => {
  it('energy by default (readyz vad: disabled); Silero 8 kHz, 16 kHz and back to energy by setting', async () => {
    rig = await startVoiceRig();
    expect((await readyz(rig)).vad).toBe('disabled');
    expect(await oneTurn(rig)).toBe('energy');

    expect((await rig.t.api('voice.updateSettings', { vad: 'silero-8k' })).status).toBe(200);
    expect((await readyz(rig)).vad).toBe('ok');
    expect(await oneTurn(rig)).toBe('silero-8k');

    expect((await rig.t.api('voice.updateSettings', { vad: 'silero-16k' })).status).toBe(200);
    expect(await oneTurn(rig)).toBe('silero-16k');

    expect((await rig.t.api('voice.updateSettings', { vad: 'energy' })).status).toBe(200);
    expect((await readyz(rig)).vad).toBe('disabled');
    expect(await oneTurn(rig)).toBe('energy');
  }, 60_000);
});
