/**
 * Signing a contract in the built app (browser mode, Chromium):
 *  (a) in the office at 1366×768: `#/sign-in-office/<id>` outside the owner's layout, the
 *      signature closed until the text is read to its end, a wrong ID refused by its check digit,
 *      a signature drawn with the mouse (kept across a resize), undo/clear, consent, confirm →
 *      signed; the signed PDF (pdftotext: the signer's name, a SHA-256) rendered to PNGs;
 *  (b) on the public link at 360×740 with touch: axe (WCAG 2 A/AA) finds nothing, a finger
 *      signature on a 3× screen, signed, and "already signed" on reload; a random link and an
 *      expired one each show their reason.
 * Screenshots: test-results/screens/signing-*.png, the signed PDF's pages as signing-pdf-page-*.png.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type CDPSession, type Locator, type Page } from '@playwright/test';
import { closeDb, openDb } from '../../src-main/db/client';
import { pdfText } from '../helpers/pdf';
import { ROOT, SCREENS, callApi, screenshot, startApp, type RunningApp } from './harness';

const PUBLIC_HOST = 'sign.agentlocator.test';
const VALID_ID = '123456782';

let app: RunningApp;

const shot = screenshot;
const api = <T = any>(method: string, input: unknown) => callApi<T>(app, method, input);

/** A service agreement long enough to need scrolling on any screen. */
const TEMPLATE = [
  '# הסכם שירות ותחזוקה',
  'נערך ונחתם ביום {{date.today}}, מספר הסכם {{contract.number}}',
  '**בין:** {{business.name}}, מספר עוסק {{business.vatId}} (להלן: "נותן השירות")',
  '**לבין:** {{customer.name}}, ת.ז. {{customer.idNumber}} (להלן: "הלקוח")',
  ...[
    'השירות',
    'התמורה',
    'לוח זמנים',
    'אחריות',
    'ביטול',
    'סודיות',
    'קניין רוחני',
    'הגבלת אחריות',
    'שונות',
    'סמכות שיפוט',
  ].flatMap((title, i) => [
    `## ${i + 1}. ${title}`,
    `נותן השירות יפעל במקצועיות ובמיומנות, בהתאם לנהוג בתחום, וימסור ללקוח דיווח על כל שלב בעבודה. הצדדים מסכימים כי סעיף זה (${title}) חל על כל העבודות שיבוצעו לפי ההסכם, וכי כל שינוי בו ייעשה בכתב ובחתימת שני הצדדים בלבד.`,
  ]),
].join('\n\n');

/** A wavy signature path across the pad, in fractions of its box. */
const wave = (n = 24, phase = 0): Array<[number, number]> =>
  Array.from({ length: n }, (_, i) => [0.12 + (0.76 * i) / (n - 1), 0.5 + 0.22 * Math.sin(phase + i / 2.2)]);

async function mouseDraw(page: Page, pad: Locator, points: Array<[number, number]>) {
  const box = (await pad.boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
  await page.mouse.up();
}

async function touchDraw(cdp: CDPSession, pad: Locator, points: Array<[number, number]>) {
  const box = (await pad.boundingBox())!;
  const at = ([x, y]: [number, number]) => ({ x: box.x + x * box.width, y: box.y + y * box.height });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(points[0]!)] });
  for (const p of points.slice(1))
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(p)] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** Whether the canvas holds any ink (compared with a blank canvas of its size). */
const inked = (pad: Locator) =>
  pad.evaluate((c: HTMLCanvasElement) => {
    const blank = document.createElement('canvas');
    blank.width = c.width;
    blank.height = c.height;
    return c.toDataURL() !== blank.toDataURL();
  });

async function axe(page: Page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test.describe.configure({ mode: 'serial' });

test.describe('signing a contract', () => {
  let customerId: number;
  let templateId: number;

  const newContract = async () => {
    const c = await api('contracts.create', {
      customerId,
      templateId,
      values: { 'customer.idNumber': VALID_ID },
    });
    expect(c.missing).toEqual([]);
    return c as { id: number; number: string };
  };

  test.beforeAll(async () => {
    app = await startApp({ env: { PUBLIC_HOST } });
    await api('business.updateProfile', { name: 'סטודיו נועה לעיצוב', vatId: '514567893' });
    // The flags the screens need (on by default; set so the test does not depend on it).
    await api('business.setFeatures', { contracts_enabled: true, signature_enabled: true });
    customerId = (await api('crm.customers.create', { name: 'דנה כהן', phone: '054-5550101' })).id;
    templateId = (
      await api('contracts.templates.save', {
        name: 'הסכם שירות ותחזוקה',
        body: TEMPLATE,
        requiresIdNumber: true,
      })
    ).id;
  });
  test.afterAll(async () => {
    await app?.stop();
    app?.cleanup();
  });

  test('in the office: read to the end, sign with the mouse, the signed PDF', async ({ page }) => {
    await page.setViewportSize({ width: 1366, height: 768 });
    const c = await newContract();
    await page.goto(`${app.localUrl}/?token=${app.token}#/sign-in-office/${c.id}`);
    const form = page.getByTestId('signing-form');
    await expect(form).toBeVisible();
    await expect(form.getByRole('heading', { level: 1 })).toHaveText('הסכם שירות ותחזוקה');
    await expect(page.getByTestId('signing-business')).toHaveText('סטודיו נועה לעיצוב');
    // Outside the owner's layout: no navigation, no link into the CRM.
    await expect(page.getByRole('navigation')).toHaveCount(0);
    await expect(page.locator('a')).toHaveCount(0);

    // Closed until the text has been read to its end, and it says why.
    const gate = page.getByTestId('signing-gate');
    await expect(gate).toHaveText(/יש לגלול ולקרוא את ההסכם עד סופו/);
    await expect(page.getByTestId('signing-confirm')).toBeDisabled();
    await expect(page.getByTestId('signer-name')).toBeDisabled();
    await expect(page.locator('.sg-pad')).toHaveAttribute('data-disabled', 'true');
    await shot(page, 'signing-office-top.png');
    // Scroll until the end has been on screen (the observer reports at the next frame, which a
    // busy machine delays: each step waits for it before scrolling on).
    await expect(async () => {
      await page.mouse.wheel(0, 400);
      await expect(gate).toHaveAttribute('data-open', 'true', { timeout: 300 });
    }).toPass({ timeout: 30_000 });
    await expect(gate).toHaveText(/אפשר לחתום/);
    await expect(page.getByTestId('signing-confirm')).toBeEnabled();

    // Every missing piece is named at once; a wrong ID is caught by its check digit.
    await page.getByTestId('signer-id').fill('123456789');
    await page.getByTestId('signing-confirm').click();
    const errors = page.getByTestId('signing-errors');
    await expect(errors).toContainText('נא לכתוב שם מלא');
    await expect(errors).toContainText('מספר תעודת הזהות אינו תקין');
    await expect(errors).toContainText('נא לחתום במשטח החתימה');
    await expect(errors).toContainText('נא לסמן את אישור ההסכמה');
    await expect(page.getByTestId('signer-name')).toBeFocused();
    await expect(page.getByTestId('signer-id')).toHaveAttribute('aria-invalid', 'true');

    // What the signer fixes drops out of the list.
    await page.getByTestId('signer-name').fill('דנה כהן');
    await expect(errors).not.toContainText('נא לכתוב שם מלא');
    await expect(page.getByTestId('signer-name')).not.toHaveAttribute('aria-invalid', 'true');
    await page.getByTestId('signer-id').fill(VALID_ID);
    await expect(errors).not.toContainText('מספר תעודת הזהות');
    const pad = page.getByTestId('signature-pad');
    await pad.scrollIntoViewIfNeeded();
    // Crisp: the canvas has a pixel per device pixel.
    expect(
      await pad.evaluate((c: HTMLCanvasElement) => c.width === Math.round(c.offsetWidth * devicePixelRatio)),
    ).toBe(true);
    await mouseDraw(page, pad, wave());
    await mouseDraw(
      page,
      pad,
      wave(12, 2).map(([x, y]) => [x * 0.6 + 0.2, y - 0.1]),
    );
    expect(await inked(pad)).toBe(true);
    // Undo takes the last stroke only; clear empties the pad.
    await page.getByTestId('signature-undo').click();
    expect(await inked(pad)).toBe(true);
    await page.getByTestId('signature-clear').click();
    expect(await inked(pad)).toBe(false);
    await mouseDraw(page, pad, wave());
    await mouseDraw(
      page,
      pad,
      wave(10, 1).map(([x, y]) => [x * 0.4 + 0.5, y + 0.12]),
    );

    // A resize keeps the drawing (signature_pad alone would clear it).
    const before = await pad.evaluate((c: HTMLCanvasElement) => c.offsetWidth);
    await page.setViewportSize({ width: 900, height: 768 });
    await expect.poll(() => pad.evaluate((c: HTMLCanvasElement) => c.offsetWidth)).not.toBe(before);
    expect(await inked(pad)).toBe(true);
    await page.setViewportSize({ width: 1366, height: 768 });
    await expect.poll(() => pad.evaluate((c: HTMLCanvasElement) => c.offsetWidth)).toBe(before);
    expect(await inked(pad)).toBe(true);

    await page.getByTestId('signer-consent').check();
    await expect(errors).toBeEmpty();
    await pad.scrollIntoViewIfNeeded();
    await shot(page, 'signing-office-desktop.png');
    await page.getByTestId('signing-confirm').click();

    const done = page.getByTestId('signing-done');
    await expect(done).toContainText('ההסכם נחתם. תודה!');
    await expect(page.getByTestId('signing-signer')).toHaveText('דנה כהן');
    await shot(page, 'signing-office-done.png');
    const signed = await api('contracts.get', { id: c.id });
    expect(signed).toMatchObject({
      status: 'signed',
      signer: { name: 'דנה כהן', idNumber: VALID_ID, via: 'in_office' },
    });
    expect(signed.signedSha256).toMatch(/^[0-9a-f]{64}$/);

    // The signed PDF: the signer's name and a SHA-256 in its text, every page as a PNG.
    const file = await api<{ url: string }>('contracts.file', { id: c.id });
    const res = await fetch(`${app.localUrl}${file.url}`, {
      headers: { authorization: `Bearer ${app.token}` },
    });
    expect(res.status).toBe(200);
    const pdf = new Uint8Array(await res.arrayBuffer());
    const text = pdfText(pdf).replace(/\s+/g, ' ');
    expect(text).toMatch(/דנה כהן|ןהכ הנד/);
    expect(text).toMatch(/\b[0-9a-f]{64}\b/);
    expect(text).toContain(VALID_ID);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'signed-pdf-'));
    writeFileSync(path.join(dir, 'signed.pdf'), pdf);
    execFileSync('pdftoppm', ['-png', '-r', '60', path.join(dir, 'signed.pdf'), path.join(dir, 'page')]);
    const pngs = readdirSync(dir).filter((f) => f.endsWith('.png'));
    expect(pngs.length).toBeGreaterThanOrEqual(2);
    for (const f of pngs) copyFileSync(path.join(dir, f), path.join(SCREENS, `signing-pdf-${f}`));

    // Reopened, the screen says it is signed; the owner's way back leads to the contract.
    await page.reload();
    await expect(page.getByTestId('signing-done')).toContainText('ההסכם כבר נחתם');
    await page.getByTestId('signing-back').click();
    await expect(page).toHaveURL(new RegExp(`#/contracts/${c.id}$`));
    await expect(page.getByTestId('contract-status')).toHaveAttribute('data-status', 'signed');
  });

  test('the owner can leave the in-office screen, behind a confirmation', async ({ page }) => {
    const c = await newContract();
    await page.goto(`${app.localUrl}/?token=${app.token}#/sign-in-office/${c.id}`);
    await page.getByTestId('signing-exit').click();
    await expect(page.getByText('לצאת ממסך החתימה ולחזור לחוזה?')).toBeVisible();
    expect(await axe(page)).toEqual([]);
    await page.getByTestId('signing-exit-yes').click();
    await expect(page).toHaveURL(new RegExp(`#/contracts/${c.id}$`));
    await expect(page.getByRole('navigation')).toBeVisible();
  });

  test('on the phone: accessible, signed with a finger, then "already signed"; bad links say why', async ({
    browser,
  }) => {
    const c = await newContract();
    const sent = await api<{ link: string }>('contracts.send', { id: c.id, days: 7 });
    expect(sent.link).toMatch(new RegExp(`^https://${PUBLIC_HOST}/sign/[A-Za-z0-9_-]{43}$`));
    const url = `${app.publicUrl}/sign/${sent.link.split('/').pop()}`;

    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 3,
      hasTouch: true,
      isMobile: true,
      locale: 'he-IL',
    });
    const page = await context.newPage();
    const policy: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) policy.push(m.text());
    });
    const loaded: string[] = [];
    page.on('request', (r) => loaded.push(new URL(r.url()).pathname));

    const first = await page.goto(url);
    expect(first!.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect(page.getByTestId('signing-form')).toBeVisible();
    await expect(page.getByTestId('signing-business')).toHaveText('סטודיו נועה לעיצוב');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await axe(page)).toEqual([]);
    await shot(page, 'signing-phone-top.png');
    // Only the signing page's own files, never the CRM's.
    expect(loaded.filter((p) => !p.startsWith('/sign/') && !p.startsWith('/sign-assets/'))).toEqual([]);

    // Read to the end with the finger (scrolling), then sign with it.
    const gate = page.getByTestId('signing-gate');
    await expect(async () => {
      await page.evaluate(() => window.scrollBy(0, 500));
      await expect(gate).toHaveAttribute('data-open', 'true', { timeout: 300 });
    }).toPass({ timeout: 30_000 });
    await page.getByTestId('signer-name').fill('דנה כהן');
    await page.getByTestId('signer-id').fill(VALID_ID);
    const pad = page.getByTestId('signature-pad');
    await pad.scrollIntoViewIfNeeded();
    expect(await pad.evaluate((c: HTMLCanvasElement) => c.width / c.offsetWidth)).toBeCloseTo(3, 1);
    const cdp = await context.newCDPSession(page);
    await touchDraw(cdp, pad, wave(30));
    await touchDraw(
      cdp,
      pad,
      wave(14, 3).map(([x, y]) => [x * 0.5 + 0.3, y + 0.15]),
    );
    expect(await inked(pad)).toBe(true);
    await page.getByTestId('signer-consent').check();
    expect(await axe(page)).toEqual([]);
    await shot(page, 'signing-phone-signature.png');
    await page.getByTestId('signing-confirm').tap();
    await expect(page.getByTestId('signing-done')).toContainText('ההסכם נחתם. תודה!');
    await shot(page, 'signing-phone-done.png');
    expect(await api('contracts.get', { id: c.id })).toMatchObject({
      status: 'signed',
      signer: { name: 'דנה כהן', via: 'remote' },
    });

    await page.reload();
    await expect(page.getByTestId('signing-reason')).toHaveAttribute('data-reason', 'used');
    await expect(page.getByTestId('signing-stop')).toContainText('ההסכם כבר נחתם');
    await shot(page, 'signing-phone-already-signed.png');

    // A random link: the same page, which says the link is not valid, and nothing else.
    await page.goto(`${app.publicUrl}/sign/${'Z'.repeat(43)}`);
    await expect(page.getByTestId('signing-reason')).toHaveAttribute('data-reason', 'invalid');
    await expect(page.getByTestId('signing-stop')).toContainText('הקישור אינו תקין');
    expect(await axe(page)).toEqual([]);
    await shot(page, 'signing-phone-invalid.png');

    // An expired link (its expiry moved into the past in the database, as the clock would).
    const late = await newContract();
    const lateLink = await api<{ link: string }>('contracts.send', { id: late.id, days: 1 });
    const side = openDb({
      file: path.join(app.dataDir, 'agentlocator.db'),
      migrationsDir: path.join(ROOT, 'src-main/db/migrations'),
    });
    side.$client
      .prepare('update contracts set token_expires_at = ? where id = ?')
      .run(Date.now() - 60_000, late.id);
    closeDb(side);
    await page.goto(`${app.publicUrl}/sign/${lateLink.link.split('/').pop()}`);
    await expect(page.getByTestId('signing-reason')).toHaveAttribute('data-reason', 'expired');
    await expect(page.getByTestId('signing-stop')).toContainText('תוקף הקישור פג');
    await shot(page, 'signing-phone-expired.png');
    expect(policy).toEqual([]);
    await context.close();
  });
});
