/**
 * The first-run wizard in the built app (browser mode) in Chromium, against loopback fakes of
 * OpenAI, Twilio REST and Google TTS, with no key in the environment: every step is filled in
 * the wizard. The public address is the "own address" path, served by a local HTTPS proxy (the
 * app checks https://<host>/healthz from outside; its certificate is trusted through
 * NODE_EXTRA_CA_CERTS). A wrong OpenAI key and an address nobody answers show their Hebrew ❌;
 * the finished wizard leaves a configured line: the picked number points at the new address
 * (the exact REST update), and a signed incoming_call answers <Connect><Stream> with it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import config from '../../playwright.config';
import { startFakeGoogleTts, type FakeGoogleTts } from '../fakes/google-tts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { ACCOUNT_SID, AUTH_TOKEN, callParams, postTwilio } from '../helpers/twilio';
import { ROOT, startApp, type RunningApp } from './harness';

const SCREENS = process.env.WIZARD_SCREENS ?? '/work/notes/screens';
const WAV = path.join(ROOT, 'tests/fixtures/test-call-he.wav');
const OPENAI_KEY = 'sk-e2e-right-key-0123456789';
const base = config.use?.launchOptions ?? {};

test.use({
  permissions: ['microphone'],
  viewport: { width: 1366, height: 768 },
  launchOptions: {
    ...base,
    args: [
      ...(base.args ?? []),
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${WAV}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  },
});

let app: RunningApp;
let twilio: FakeTwilio;
let openai: FakeOpenAI;
let google: FakeGoogleTts;
let proxy: https.Server;
let host: string;
let certDir: string;

/** A self-signed certificate for 127.0.0.1, trusted by the app through NODE_EXTRA_CA_CERTS. */
function makeCert(dir: string) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}

test.beforeAll(async () => {
  certDir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-cert-'));
  const pem = makeCert(certDir);
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  twilio.addNumber('+97235551234', {
    friendly_name: 'הקו של המספרה',
    voice_url: 'https://old.example.com/voice',
  });
  twilio.addNumber('+97235559999', { friendly_name: 'קו אחר' });
  openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
  openai.setDefaultTranscription(() => 'כמה עולה תספורת?');
  openai.setDefaultChat(() => 'תספורת עולה שמונים שקלים.');
  google = await startFakeGoogleTts({ msPerChar: 20 });
  app = await startApp({
    firstRun: true,
    env: {
      TWILIO_API_BASE_URL: twilio.url,
      OPENAI_BASE_URL: openai.url,
      GOOGLE_TTS_ENDPOINT: google.url,
      NODE_EXTRA_CA_CERTS: pem.cert,
    },
  });
  // "The outside": HTTPS on loopback, forwarding to the app's public server.
  const target = new URL(app.publicUrl);
  proxy = https.createServer({ key: readFileSync(pem.key), cert: readFileSync(pem.cert) }, (req, res) => {
    const up = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
  await new Promise((r) => proxy?.close(r));
  await Promise.all([twilio?.close(), openai?.close(), google?.close()]);
  rmSync(certDir, { recursive: true, force: true });
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SCREENS, `wizard-${name}.png`) });

async function apiCall(method: string, input: unknown = {}) {
  const res = await fetch(`${app.localUrl}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
    body: JSON.stringify(input),
  });
  return (await res.json()) as { ok: boolean; data: never };
}

/**
 * No English on the owner's screen but the services' own names and the words their sites use for
 * a key (each shown next to its Hebrew name and where to find it); addresses are not words.
 */
const ALLOWED = new Set(
  (
    'OpenAI Google Twilio ngrok AgentLocator JSON API keys Create new secret key sk Account SID Auth Token account ' +
    'Authtoken Your Service accounts Keys Add Cloud Console Domains Phone Numbers Buy a number Text to Speech'
  ).split(' '),
);
async function expectNoStrayEnglish(page: Page, within = 'main') {
  const text = (await page.locator(within).innerText()).replace(/\S*[.:/]\S*/g, ' ');
  const words = (text.match(/[A-Za-z]+/g) ?? []).filter((w) => !ALLOWED.has(w));
  expect(words).toEqual([]);
}

test('the wizard: profile → knowledge → keys → address → number → test call → done, and the line answers', async ({
  page,
}) => {
  test.setTimeout(180_000);
  writeFileSync(path.join(certDir, 'not-a-key.json'), 'this is not json');

  // First run: the app opens on the wizard.
  await page.goto(app.openUrl);
  const wizard = page.getByTestId('wizard');
  await expect(wizard).toHaveAttribute('data-step', 'profile');
  await expect(page.getByTestId('wizard-progress')).toHaveText('שלב 1 מתוך 7');
  const profile = page.getByTestId('profile-form');
  await profile.getByLabel('שם העסק', { exact: true }).fill('מספרת שושנה');
  await profile.getByLabel('טלפון העסק').fill('03-5551234');
  await expectNoStrayEnglish(page);
  await shot(page, '1-profile');
  await profile.getByRole('button', { name: 'שמירה והמשך' }).click();

  // Knowledge.
  await expect(wizard).toHaveAttribute('data-step', 'knowledge');
  const knowledge = page.getByTestId('knowledge-form');
  await knowledge.getByLabel('שעות פעילות').fill('א׳–ה׳ 9:00–19:00, ו׳ 8:00–13:00');
  await knowledge.getByLabel('שירותים').fill('תספורת, צבע, פן');
  await knowledge.getByLabel('מחירים').fill('תספורת 80 ₪, צבע מ-250 ₪');
  await knowledge.getByRole('button', { name: 'הוספת שאלה' }).click();
  await knowledge.getByLabel('שאלה').fill('יש חניה?');
  await knowledge.getByLabel('תשובה').fill('כן, חניה חינם מאחורי הבניין.');
  await shot(page, '2-knowledge');
  await knowledge.getByRole('button', { name: 'שמירה והמשך' }).click();

  // Keys: a wrong OpenAI key first → the Hebrew reason and where to get one.
  await expect(wizard).toHaveAttribute('data-step', 'keys');
  const openaiCard = page.getByTestId('key-openai');
  await openaiCard.locator('#k-openai_api_key').fill('sk-e2e-wrong-key-000000000');
  await openaiCard.getByTestId('key-save').click();
  await expect(openaiCard.getByTestId('check-fail')).toHaveAttribute('data-problem', 'refused');
  await expect(openaiCard.getByTestId('check-fail')).toContainText('דחה את המפתח: הוא שגוי');
  await expect(openaiCard).toContainText('platform.openai.com');
  await expectNoStrayEnglish(page);
  await shot(page, 'x-openai-wrong-key');
  await openaiCard.locator('#k-openai_api_key').fill(OPENAI_KEY);
  await openaiCard.getByTestId('key-save').click();
  await expect(openaiCard.getByTestId('check-ok')).toHaveText('המפתח תקין');

  // The Google file is picked from the computer; a file that is not JSON is refused here.
  const googleCard = page.getByTestId('key-google');
  await googleCard.getByTestId('google-file').setInputFiles(path.join(certDir, 'not-a-key.json'));
  await expect(googleCard).toContainText('תקין. הורידו שוב את קובץ המפתח');

  const twilioCard = page.getByTestId('key-twilio');
  await twilioCard.locator('#k-twilio_account_sid').fill(ACCOUNT_SID);
  await twilioCard.locator('#k-twilio_auth_token').fill(AUTH_TOKEN);
  await twilioCard.getByTestId('key-save').click();
  await expect(twilioCard.getByTestId('check-ok')).toBeVisible();
  await twilioCard.scrollIntoViewIfNeeded();
  await shot(page, '3-keys');
  await page.getByTestId('wizard-next').click();

  // Public address: an address nobody answers → ❌; the right one → ✅.
  await expect(wizard).toHaveAttribute('data-step', 'address');
  await page.getByTestId('mode-own').check();
  await page.getByTestId('own-address').fill('127.0.0.1:9');
  await page.getByTestId('own-save').click();
  await expect(page.getByTestId('check-fail')).toHaveAttribute('data-problem', 'network');
  await expect(page.getByTestId('check-fail')).toContainText('הכתובת לא ענתה מבחוץ');
  await shot(page, 'x-address-unreachable');
  await page.getByTestId('own-address').fill(host);
  await page.getByTestId('own-save').click();
  await expect(page.getByTestId('check-ok')).toContainText(host);
  await shot(page, '4-address');
  await page.getByTestId('wizard-next').click();

  // Phone number: pick → what changed, before → after; undo puts it back; pick again.
  await expect(wizard).toHaveAttribute('data-step', 'number');
  const rows = page.getByTestId('number-row');
  await expect(rows).toHaveCount(2);
  await rows.filter({ hasText: '03-555-1234' }).getByTestId('number-pick').click();
  const change = page.getByTestId('number-change');
  await expect(change).toContainText('https://old.example.com/voice');
  await expect(change).toContainText(`https://${host}/webhook/incoming_call`);
  await expect(rows.filter({ hasText: '03-555-1234' })).toContainText('מפנה לאפליקציה');
  await shot(page, '5-number');
  const picked = twilio.numbers.find((n) => n.phone_number === '+97235551234')!;
  await change.getByTestId('phone-undo').click();
  await expect.poll(() => picked.voice_url).toBe('https://old.example.com/voice');
  await rows.filter({ hasText: '03-555-1234' }).getByTestId('number-pick').click();
  await expect.poll(() => picked.voice_url).toBe(`https://${host}/webhook/incoming_call`);
  await page.getByTestId('wizard-next').click();

  // A test call from the computer: the agent answers the fake microphone.
  await expect(wizard).toHaveAttribute('data-step', 'test_call');
  await page.getByTestId('test-call-start').click();
  await expect(page.getByTestId('test-call-status')).toHaveText(/בשיחה עם הסוכן/, { timeout: 15_000 });
  await expect
    .poll(
      async () => {
        const s = (await apiCall('setup.status')).data as { steps: Array<{ id: string; done: boolean }> };
        return s.steps.find((x) => x.id === 'test_call')?.done;
      },
      { timeout: 45_000, intervals: [1000] },
    )
    .toBe(true);
  await shot(page, '6-test-call');
  await page.getByTestId('test-call-hangup').click();
  await page.getByTestId('wizard-next').click();

  // Done: every step works, so the line is ready.
  await expect(wizard).toHaveAttribute('data-step', 'done');
  await expect(page.getByTestId('line-ready')).toBeVisible({ timeout: 20_000 });
  for (const id of ['profile', 'knowledge', 'keys', 'address', 'number', 'test_call'])
    await expect(page.getByTestId(`summary-${id}`)).toHaveAttribute('data-done', 'true');
  await expectNoStrayEnglish(page);
  await shot(page, '7-done');
  await page.getByTestId('wizard-finish').click();

  // The dashboard follows the same steps, all green; the wizard does not open again.
  await expect(page.getByTestId('setup-checklist')).toBeVisible();
  await expect(page.getByTestId('dashboard-line-ready')).toBeVisible({ timeout: 20_000 });
  await shot(page, '8-dashboard');
  await page.reload();
  await expect(page.getByTestId('setup-checklist')).toBeVisible();
  await expect(page.getByTestId('wizard')).toHaveCount(0);

  // Settings → connection shows the address, the number and what was changed.
  await page.goto(`${app.localUrl}/#/settings?section=connection`);
  const conn = page.getByTestId('connection');
  await expect(conn.getByTestId('public-address')).toHaveText(host);
  await expect(conn.getByTestId('picked-number')).toHaveText('03-555-1234');
  await expect(conn.getByTestId('phone-history').locator('li')).toHaveCount(3);
  await conn.scrollIntoViewIfNeeded();
  await shot(page, '9-settings-connection');

  // Settings → check the line: the doctor's lines, in Hebrew.
  const doctor = page.getByTestId('doctor');
  await doctor.scrollIntoViewIfNeeded();
  await doctor.getByTestId('doctor-run').click();
  const report = doctor.getByTestId('doctor-report');
  await expect(report).toBeVisible({ timeout: 60_000 });
  await expect(report.locator('[data-id="public_url"]')).toHaveAttribute('data-ok', 'true');
  await expect(report.locator('[data-id="number"]')).toHaveAttribute('data-ok', 'true');
  await expect(report.locator('[data-id="incoming_call"]')).toHaveAttribute('data-ok', 'true');
  // (Only this section and the connection one: other Settings sections are not this page's.)
  await expectNoStrayEnglish(page, '[data-testid="doctor"]');
  await expectNoStrayEnglish(page, '[data-testid="connection"]');
  await doctor.scrollIntoViewIfNeeded();
  await shot(page, '10-doctor');

  // The exact REST requests: the picked number only, pointed at the new address.
  const updates = twilio.numberUpdates.filter((u) => u.sid === picked.sid);
  expect(updates.at(0)?.params).toMatchObject({
    VoiceUrl: `https://${host}/webhook/incoming_call`,
    VoiceMethod: 'POST',
    StatusCallback: `https://${host}/webhook/call_status`,
    StatusCallbackMethod: 'POST',
  });
  expect(updates.at(1)?.params).toMatchObject({ VoiceUrl: 'https://old.example.com/voice' });
  expect(updates.at(-1)?.params).toMatchObject({ VoiceUrl: `https://${host}/webhook/incoming_call` });
  const other = twilio.numbers.find((n) => n.phone_number === '+97235559999')!;
  expect(twilio.numberUpdates.filter((u) => u.sid === other.sid)).toEqual([]);
  writeFileSync(
    path.join(SCREENS, 'wizard-rest-requests.json'),
    JSON.stringify(twilio.numberUpdates, null, 2),
  );

  // A call Twilio signs against the new address is answered with the media stream there.
  const res = await postTwilio(app.publicUrl, '/webhook/incoming_call', callParams(21), { publicHost: host });
  expect(res.status).toBe(200);
  expect(res.text).toContain('<Connect action="/webhook/stream_ended">');
  expect(res.text).toContain(`<Stream url="wss://${host}/ws/twilio-media"`);
});
