/**
 * The OpenAI fake honours JSON mode like the real API: a chat request with `response_format`
 * json_object gets valid JSON content whatever the script says, and every other request keeps
 * its scripted text (the after-call summary of the voice benchmark depends on it).
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const client = (f: FakeOpenAI) => new OpenAI({ apiKey: 'sk-test', baseURL: f.url, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'שלום' }];

describe('OpenAI fake: JSON mode', () => {
  it('answers a JSON-mode request with JSON and a plain request with the scripted text', async () => {
    fake = await startFakeOpenAI();
    fake.setDefaultChat('תספורת עולה שמונים שקלים.');
    fake.setDefaultJsonChat({ summary: 'הלקוח שאל על המחיר.' });
    const c = client(fake);
    const json = await c.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(json.choices[0]!.message.content!)).toEqual({ summary: 'הלקוח שאל על המחיר.' });
    const text = await c.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(text.choices[0]!.message.content).toBe('תספורת עולה שמונים שקלים.');
    // Streamed answers keep their text too.
    let streamed = '';
    for await (const ch of await c.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))
      streamed += ch.choices[0]?.delta?.content ?? '';
    expect(streamed).toBe('תספורת עולה שמונים שקלים.');
  });

  it('keeps a scripted reply that already is JSON, and answers {} without a JSON default', async () => {
    fake = await startFakeOpenAI();
    const c = client(fake);
    fake.scriptChat(JSON.stringify({ summary: 'קבע תור.' }), 'לא JSON');
    const ask = () =>
      c.chat.completions.create({ model: 'gpt-4o-mini', messages, response_format: { type: 'json_object' } });
    expect(JSON.parse((await ask()).choices[0]!.message.content!)).toEqual({ summary: 'קבע תור.' });
    expect(JSON.parse((await ask()).choices[0]!.message.content!)).toEqual({});
  });
});
