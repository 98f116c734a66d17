import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  callParams,
  callSid,
  postTwilio,
  PUBLIC_HOST,
  recordingSid,
} from '../helpers/twilio';
import { ROOT, SCREENS, startApp, type RunningApp } from './harness';

const FIXTURE = readFileSync(path.join(ROOT, 'tests/fixtures/voice-message-he.wav'));
const MESSAGE = 'שלום, זה דני כהן. רציתי לקבוע תור לתספורת ביום שלישי אחר הצהריים. תחזרו אליי בבקשה.';

let app: RunningApp;
let twilio: FakeTwilio;
let openai: FakeOpenAI;

test.beforeAll(async () => {
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  openai = await startFakeOpenAI();
  app = await startApp({
    env: {
      PUBLIC_HOST,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: twilio.url,
      OPENAI_API_KEY: 'sk-e2e',
      OPENAI_BASE_URL: openai.url,
      RECORDING_DOWNLOAD_BACKOFF_MS: '20',
    },
  });
});
test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
  await Promise.all([twilio?.close(), openai?.close()]);
});

const shot = (name: string): string => path.join(SCREENS, name);

test('a voice message left after the live stream failed shows in the call history and its detail', async ({
  page,
}) => {
  // A live call the agent handled and ended with a goodbye (its turns, as the voice agent records them).
  await postTwilio(app.publicUrl, '/webhook/incoming_call', callParams(1, { From: '+972523334455' }));
  await postTwilio(
    app.publicUrl,
    '/webhook/call_status',
    callParams(1, { CallStatus: 'completed', CallDuration: '94' }),
  );
  const db = new Database(path.join(app.dataDir, 'agentlocator.db'));
  const live = db.prepare('select id from calls where call_sid = ?').get(callSid(1)) as { id: number };
  const turn = db.prepare(
    `insert into call_turns (call_id, call_sid, business_id, turn_index, mode, caller_text, agent_text, t_vad_ms, t_asr_ms, t_nlp_ms, t_tts_ms, t_first_audio_ms, t_total_ms, interrupted)
     values (?, ?, 1, ?, 'stream', ?, ?, 700, ?, ?, ?, ?, ?, ?)`,
  );
  turn.run(
    live.id,
    callSid(1),
    0,
    'שלום, כמה עולה תספורת גברים?',
    'תספורת גברים עולה 80 שקלים. תרצה לקבוע תור?',
    310,
    420,
    180,
    980,
    2400,
    0,
  );
  turn.run(
    live.id,
    callSid(1),
    1,
    'כן, מחר בעשר בבוקר',
    'קבעתי לך תור למחר בעשר. משהו נוסף?',
    290,
    510,
    170,
    1050,
    2600,
    0,
  );
  turn.run(
    live.id,
    callSid(1),
    2,
    'לא, תודה רבה, ביי',
    'תודה שהתקשרת, להתראות!',
    250,
    380,
    160,
    870,
    1900,
    0,
  );
  db.prepare(
    "update calls set ended_by = 'goodbye', summary = ?, customer_id = customer_id where id = ?",
  ).run('הלקוח שאל על מחיר תספורת וקבע תור למחר ב-10:00.', live.id);
  db.prepare("update customers set name = 'יוסי לוי' where phone = '+972523334455'").run();
  db.close();

  // A call whose stream failed: recording fallback, voice message, transcript, call-back task.
  twilio.addRecording(recordingSid(2), FIXTURE);
  openai.scriptTranscription(MESSAGE);
  await postTwilio(app.publicUrl, '/webhook/incoming_call', callParams(2));
  await postTwilio(app.publicUrl, '/webhook/stream_ended', callParams(2));
  await postTwilio(
    app.publicUrl,
    '/webhook/handle_recording',
    callParams(2, {
      RecordingUrl: twilio.recordingUrl(recordingSid(2)),
      RecordingSid: recordingSid(2),
      RecordingDuration: '9',
    }),
  );
  await postTwilio(
    app.publicUrl,
    '/webhook/call_status',
    callParams(2, { CallStatus: 'completed', CallDuration: '31' }),
  );
  // And a caller who hung up before anything was said.
  await postTwilio(app.publicUrl, '/webhook/incoming_call', callParams(3, { From: '+972547778899' }));
  await postTwilio(app.publicUrl, '/webhook/call_status', callParams(3, { CallStatus: 'no-answer' }));

  await page.goto(app.openUrl);
  await page
    .getByRole('navigation', { name: 'ניווט ראשי' })
    .getByRole('link', { name: 'שיחות', exact: true })
    .click();
  const rows = page.getByTestId('call-row');
  await expect(rows).toHaveCount(3);
  // Newest first; the voice message turns "transcribed" live, without a reload.
  await expect(rows.nth(1)).toContainText('תומללה');
  await expect(rows.nth(2)).toContainText('יוסי לוי');
  await expect(rows.nth(2)).toContainText('הסוכן ענה');
  await expect(rows.nth(1)).toContainText('הודעה מוקלטת');
  await expect(rows.nth(1)).toContainText('050-123-4567');
  // The voice message's words are in the list; a call nobody answered is not "answered by the agent".
  await expect(rows.nth(1).getByTestId('call-preview')).toContainText('שלום, זה דני כהן');
  await expect(rows.nth(2).getByTestId('call-preview')).toContainText('הלקוח שאל על מחיר תספורת');
  await expect(rows.nth(0)).toContainText('לא נענתה');
  await expect(rows.nth(0)).not.toContainText('הסוכן ענה');

  // Search by name, by number in the owner's form, and by date.
  const search = page.getByTestId('calls-search');
  await search.fill('יוסי');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('יוסי לוי');
  await search.fill('054-7778899');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('לא נענתה');
  await search.fill('');
  await expect(rows).toHaveCount(3);
  await page.getByLabel('עד תאריך').fill('01/01/2020');
  await expect(page.getByText('לא נמצאו שיחות שמתאימות לחיפוש')).toBeVisible();
  await page.getByRole('button', { name: 'ניקוי החיפוש' }).click();
  await expect(rows).toHaveCount(3);
  await page.evaluate(() => (globalThis as any).document.fonts.ready);
  const list = shot('calls.png');
  await page.screenshot({ path: list, fullPage: true });

  await rows.nth(1).click();
  await expect(page.getByTestId('call-transcript')).toHaveText(MESSAGE);
  await page.getByTestId('call-audio-load').click();
  const audio = page.getByTestId('call-audio');
  await expect(audio).toBeVisible();
  const duration = await audio.evaluate(async (node) => {
    const el = node as any;
    el.muted = true;
    if (!Number.isFinite(el.duration) || el.readyState < 1)
      await new Promise((r) => el.addEventListener('loadedmetadata', r, { once: true }));
    return el.duration;
  });
  expect(duration).toBeGreaterThan(1);
  const detail = shot('calls-detail-recording.png');
  await page.screenshot({ path: detail, fullPage: true });

  await page.getByRole('link', { name: 'חזרה לכל השיחות' }).click();
  await rows.nth(2).click();
  await expect(page.getByTestId('call-turns-live').locator('.call-turn')).toHaveCount(3);
  await expect(page.getByText('הסוכן נפרד מהמתקשר')).toBeVisible();
  // A conversation with the agent is its own transcript: no "no transcript" above it.
  await expect(page.getByText('אין תמלול')).toHaveCount(0);
  // Twilio's call id is for support, behind a toggle.
  await expect(page.getByText('מספר השיחה אצל')).toBeHidden();
  const turns = shot('calls-detail-turns.png');
  await page.screenshot({ path: turns, fullPage: true });

  // A call that does not exist: the page says so, in Hebrew, with the way back.
  await page.goto(`${app.localUrl}/#/calls/999999`);
  await expect(page.getByTestId('call-not-found')).toContainText('השיחה לא נמצאה');
  await expect(page.getByRole('button', { name: 'נסו שוב' })).toHaveCount(0);
  await page.getByTestId('call-not-found').getByRole('link', { name: 'חזרה לכל השיחות' }).click();
  await expect(rows).toHaveCount(3);

  // What went wrong is said in Hebrew; the core's own code is only under the support details.
  const db2 = new Database(path.join(app.dataDir, 'agentlocator.db'));
  const missed = db2.prepare('select id from calls where call_sid = ?').get(callSid(3)) as { id: number };
  db2.prepare("update calls set error = 'gibberish:too_short' where id = ?").run(missed.id);
  db2.close();
  await page.goto(`${app.localUrl}/#/calls/${missed.id}`);
  await expect(page.getByTestId('call-error')).toHaveText('בהקלטה לא נשמע דיבור ברור.');
  await expect(page.getByText('gibberish:too_short')).toBeHidden();
  await expect(page.getByText('הסוכן ענה')).toHaveCount(0);
});
