/**
 * The live call monitor in the built app (browser mode): a simulated phone call — Twilio's
 * webhook, then a Media Streams client speaking Hebrew fixtures — shows up live: state,
 * duration, the transcript turn by turn with latencies; "hang up" ends it through Twilio REST.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { computeTwilioSignature } from '../../src-main/platform/twilio-signature';
import { MediaStreamClient } from '../fakes/media-stream-client';
import type { FakeOpenAI } from '../fakes/openai';
import type { FakeTwilio } from '../fakes/twilio-rest';
import { AUTH_TOKEN, callParams, callSid, postTwilio, PUBLIC_HOST, streamTokenFrom } from '../helpers/twilio';
import { SCREENS, type RunningApp, startAppWithFakes, type AppWithFakes } from './harness';

let app: RunningApp;
let twilio: FakeTwilio;
let openai: FakeOpenAI;
let world: AppWithFakes;
let caller = '';

test.beforeAll(async () => {
  world = await startAppWithFakes({ googleMsPerChar: 60 });
  ({ app, twilio, openai } = world);
  openai.setDefaultTranscription(() => caller);
});
test.afterAll(async () => {
  await world?.close();
});

test('a live call updates on the monitor turn by turn, and the owner hangs it up', async ({ page }) => {
  await page.goto(app.openUrl + '#/calls/live');
  await expect(page.getByRole('heading', { name: 'שיחות חיות' })).toBeVisible();
  await expect(page.getByText('אין שיחות פעילות כרגע')).toBeVisible();

  // Twilio's webhook creates the call; then the media stream connects, signed like Twilio signs it.
  const incoming = await postTwilio(
    app.publicUrl,
    '/webhook/incoming_call',
    callParams(7, { From: '+972523334455' }),
  );
  const client = await MediaStreamClient.connect({
    url: `${app.publicUrl.replace('http', 'ws')}/ws/twilio-media`,
    headers: {
      'x-twilio-signature': computeTwilioSignature(AUTH_TOKEN, `wss://${PUBLIC_HOST}/ws/twilio-media`, {}),
    },
    callSid: callSid(7),
    // The call's single-use stream token, from the TwiML, as Twilio returns it in `start`.
    customParameters: { stream_token: streamTokenFrom(incoming.text)! },
    speed: 1,
  });
  client.start();
  const card = page.getByTestId('live-call');
  await expect(card).toBeVisible();
  await expect(card.getByText('052-333-4455')).toBeVisible();
  await expect(page.getByTestId('live-state')).toHaveText(/מקשיב/, { timeout: 15_000 });

  caller = 'שלום, כמה עולה תספורת גברים?';
  openai.scriptChat({
    content: 'תספורת גברים עולה שמונים שקלים. רוצים שאקבע לכם תור?',
    delayMs: 300,
    chunkChars: 4,
    chunkDelayMs: 25,
  });
  await client.say('price');
  await expect(page.getByTestId('live-state')).toHaveText(/חושב|מדבר/, { timeout: 10_000 });
  await expect(card.getByText('שלום, כמה עולה תספורת גברים?')).toBeVisible();
  await expect(card.getByText('תספורת גברים עולה שמונים שקלים. רוצים שאקבע לכם תור?')).toBeVisible({
    timeout: 10_000,
  });
  await expect(page.getByTestId('live-state')).toHaveText(/מקשיב/, { timeout: 15_000 });

  caller = 'כן, מחר בעשר בבוקר בבקשה.';
  openai.scriptChat(
    {
      toolCalls: [{ name: 'book_appointment', arguments: { time: '10:00', reason: 'תספורת גברים' } }],
      delayMs: 200,
    },
    { content: 'מצוין, קבעתי לכם תור. אפשר לעזור במשהו נוסף?', chunkChars: 4, chunkDelayMs: 25 },
  );
  await client.say('book');
  await expect(card.getByText('מצוין, קבעתי לכם תור. אפשר לעזור במשהו נוסף?')).toBeVisible({
    timeout: 15_000,
  });
  await expect(card.locator('.call-turn')).toHaveCount(2);
  await expect(card.locator('.lat-label', { hasText: 'זמן תגובה' }).first()).toBeVisible();
  // Mid-sentence on the agent's side makes the most telling picture.
  caller = 'ומה עם צבע? כמה זה עולה בערך?';
  openai.scriptChat({
    content: 'צבע מתחיל ממאה וחמישים שקלים, תלוי באורך השיער.',
    delayMs: 400,
    chunkChars: 4,
    chunkDelayMs: 25,
  });
  await client.say('price');
  await expect(card.getByText('ומה עם צבע? כמה זה עולה בערך?')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('live-state')).toHaveText(/מדבר/, { timeout: 10_000 });
  const file = path.join(SCREENS, 'live-calls.png');
  await page.screenshot({ path: file, fullPage: true });

  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('live-hangup').click();
  await expect
    .poll(() => twilio.callUpdates.find((u) => u.callSid === callSid(7))?.params.Status)
    .toBe('completed');
  await client.stop();
  await expect(page.getByText('הסתיימו לאחרונה')).toBeVisible();
  await expect(page.getByText('אין שיחות פעילות כרגע')).toBeVisible();
});
