/**
 * Screen tour: every page of the app on the 100k-customer demo (1M WhatsApp messages, 200k calls)
 * at 1366×768. Each page fails on (a) an element spilling horizontally past its card/container,
 * (b) visible text with Latin letters outside the allowed list, (c) not interactive within its
 * budget (navigation → main content visible + a known control enabled), (d) any axe-core
 * violation (WCAG 2.0/2.1 A + AA). The screenshots test-results/screens/tour-*.png are the
 * reviewed set. Demo generation (~30 s on a quiet machine) runs once, in beforeAll.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { closeDb, openDb } from '../../src-main/db/client';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { ROOT, SCREENS, startApp, type RunningApp } from './harness';

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1366, height: 768 } });

const DEFAULT_BUDGET_MS = 1000;
/** Brand names, e-mails, URLs, document numbers and bracketed console names may be Latin. */
const ALLOWED_LATIN: RegExp[] = [
  /\b(?:OpenAI|Twilio|Google|WhatsApp|ngrok|PayPal|Tranzila|Morning|AgentLocator)\b/g,
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g,
  /\b(?:https?|wss?):\/\/\S+/g,
  /\b[\w-]+(?:\.[\w-]+)*\.(?:com|co\.il|org|net|io|app|dev|il)(?:\/\S*)?/g,
  /\bAGR-[\w-]+/g,
  /\b[A-Z]{2,4}-\d[\d-]*/g,
  /\[[^\]\s]*\]/g,
  /\b(?:AC|PN|CA|SK)[0-9a-f]{6,}\b/gi,
];

let app: RunningApp;
let ids: { customer?: number; call?: number; document?: number; waCustomer?: number } = {};
const results: Record<string, { ms: number; axe: number; overflow: number; latin: number }> = {};
let demoMs = 0;

async function api<T = unknown>(method: string, input: unknown): Promise<T> {
  const res = await fetch(`${app.localUrl}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { data: T };
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(body)}`);
  return body.data;
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-e2e-tour-'));
  const t0 = Date.now();
  const db = openDb({
    file: path.join(dataDir, 'agentlocator.db'),
    migrationsDir: path.join(ROOT, 'src-main/db/migrations'),
  });
  generateDemoData(db, { customers: 100_000, messages: 1_000_000, calls: 200_000, seed: 42 });
  closeDb(db);
  demoMs = Date.now() - t0;
  console.log(`tour demo data (100k customers, 1M messages, 200k calls): ${demoMs} ms`);
  app = await startApp({ dataDir });
  type Paged = { items: { id: number; customerId?: number | null }[] };
  const first = async (m: string, input: unknown) =>
    (await api<Paged>(m, input).catch(() => ({ items: [] }))).items[0];
  ids = {
    customer: (await first('crm.customers.list', { page: 1, limit: 1 }))?.id,
    call: (await first('calls.list', { page: 1, limit: 1 }))?.id,
    document: (await first('billing.documents.list', { page: 1, limit: 1 }))?.id,
    waCustomer: (await first('whatsapp.conversations', {}))?.customerId ?? undefined,
  };
});

test.afterAll(async () => {
  writeFileSync(
    path.join(ROOT, 'test-results', 'tour.json'),
    JSON.stringify({ demoMs, ids, results }, null, 2),
  );
  await app?.stop();
  app?.cleanup();
});

interface TourPage {
  name: string;
  /** Hash route; a function when it needs an id from the demo data. */
  route: () => string;
  /** The main content, visible when the page is ready. */
  ready: (p: Page) => Locator;
  /** A control the owner uses on that page, enabled when interactive. */
  control: (p: Page) => Locator;
  budgetMs?: number;
}

const main = (p: Page) => p.locator('main');
const anyButton = (p: Page) => p.locator('main').getByRole('button').first();

const PAGES: TourPage[] = [
  { name: 'dashboard', route: () => '/', ready: (p) => p.getByTestId('readiness'), control: anyButton },
  {
    name: 'customers',
    route: () => '/customers',
    ready: (p) => p.getByTestId('customer-table'),
    control: (p) => p.getByTestId('add-customer'),
  },
  {
    name: 'customer',
    route: () => `/customers/${ids.customer}`,
    ready: (p) => p.getByTestId('customer-name'),
    control: (p) => p.getByTestId('action-task'),
  },
  { name: 'deals', route: () => '/deals', ready: (p) => p.getByTestId('board'), control: anyButton },
  { name: 'tasks', route: () => '/tasks', ready: (p) => p.getByTestId('task-list'), control: anyButton },
  { name: 'calls', route: () => '/calls', ready: (p) => p.getByTestId('calls-table'), control: anyButton },
  {
    name: 'call',
    route: () => `/calls/${ids.call}`,
    ready: (p) => p.getByTestId('call-turns'),
    control: anyButton,
  },
  { name: 'live-calls', route: () => '/calls/live', ready: main, control: (p) => p.locator('nav a').first() },
  { name: 'reports', route: () => '/reports', ready: (p) => p.getByTestId('reports'), control: anyButton },
  { name: 'whatsapp', route: () => '/whatsapp', ready: (p) => p.getByTestId('wa-page'), control: anyButton },
  {
    name: 'whatsapp-thread',
    route: () => `/whatsapp/${ids.waCustomer}`,
    ready: (p) => p.getByTestId('wa-page'),
    control: anyButton,
  },
  {
    name: 'documents',
    route: () => '/invoices',
    ready: (p) => p.getByTestId('document-search'),
    control: (p) => p.getByTestId('new-document'),
  },
  {
    name: 'document',
    route: () => `/invoices/${ids.document}`,
    ready: (p) => p.locator('main h1, main h2').first(),
    control: anyButton,
  },
  {
    name: 'document-new',
    route: () => '/invoices/new',
    ready: (p) => p.locator('main form').first(),
    control: anyButton,
  },
  {
    name: 'payments',
    route: () => '/invoices/payments',
    ready: (p) => p.getByTestId('payment-table'),
    control: (p) => p.getByTestId('new-payment'),
  },
  { name: 'unpaid', route: () => '/invoices/unpaid', ready: main, control: anyButton },
  { name: 'contracts', route: () => '/contracts', ready: main, control: (p) => p.locator('nav a').first() },
  ...[
    'profile-form',
    'knowledge-form',
    'keys',
    'connection',
    'voice-settings',
    'wa-settings',
    'payments-settings',
    'feature-flags',
    'backups',
    'desktop-settings',
    'doctor',
  ].map((section): TourPage => ({
    name: `settings-${section}`,
    route: () => `/settings?section=${section}`,
    ready: (p) => p.getByTestId('profile-form'),
    control: anyButton,
  })),
  ...['profile', 'knowledge', 'keys', 'address', 'number', 'test_call', 'done'].map((step): TourPage => ({
    name: `setup-${step}`,
    route: () => `/setup/${step}`,
    ready: (p) => p.getByTestId('wizard-progress'),
    control: anyButton,
  })),
  {
    name: 'not-found',
    route: () => '/no-such-page',
    ready: (p) => p.getByTestId('not-found'),
    control: (p) => p.getByTestId('not-found').getByRole('link'),
  },
];

/** Elements spilling horizontally: past a non-scrolling box, past their card, or the page itself. */
function findOverflow(): string[] {
  const out: Element[] = [];
  const describe = (el: Element) =>
    `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${
      el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : ''
    }${typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : ''} «${(
      el.textContent ?? ''
    )
      .trim()
      .slice(0, 60)}»`;
  const scrolls = (el: Element) => /auto|scroll/.test(getComputedStyle(el).overflowX);
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    if (!(el instanceof HTMLElement) || !el.checkVisibility()) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'inline' || cs.display === 'contents' || scrolls(el)) continue;
    if (cs.position === 'fixed') continue;
    const spills = cs.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
    const clipped =
      cs.overflowX !== 'visible' && cs.textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1;
    let past = false;
    const r = el.getBoundingClientRect();
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (scrolls(a)) break;
      if (a.matches('.card, [role=dialog], main')) {
        const c = a.getBoundingClientRect();
        past = r.width > 0 && (r.left < c.left - 1 || r.right > c.right + 1);
        break;
      }
    }
    if (spills || clipped || past) out.push(el);
  }
  // The innermost offenders only (an overflowing child makes every ancestor's scrollWidth grow).
  const inner = out.filter((el) => !out.some((o) => o !== el && el.contains(o)));
  const res = inner.map(describe);
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1)
    res.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px)`);
  return res;
}

/** Visible text nodes and placeholders that contain Latin letters. */
function visibleTexts(): string[] {
  const texts: string[] = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const t = n.textContent?.trim();
    if (!t || !el || !/[A-Za-z]/.test(t) || el.closest('script, style, noscript')) continue;
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true } as CheckVisibilityOptions))
      continue;
    texts.push(t);
  }
  for (const el of Array.from(document.querySelectorAll('[placeholder]'))) {
    const t = el.getAttribute('placeholder') ?? '';
    if (/[A-Za-z]/.test(t) && (el as HTMLElement).checkVisibility()) texts.push(t);
  }
  return texts;
}

const disallowedLatin = (text: string) => {
  let rest = text;
  for (const re of ALLOWED_LATIN) rest = rest.replace(re, ' ');
  return /[A-Za-z]/.test(rest);
};

for (const tp of PAGES) {
  test(`tour: ${tp.name}`, async ({ page }) => {
    await page.goto(app.openUrl);
    await expect(page.getByRole('navigation', { name: 'ניווט ראשי' })).toBeVisible({ timeout: 20_000 });
    // Warm the page's code chunk once (first visit after an update), then time a real navigation.
    await page.evaluate((r) => (location.hash = '#' + r), tp.route());
    await expect(tp.ready(page).first()).toBeVisible({ timeout: 20_000 });
    await page.evaluate(() => (location.hash = '#/__tour_blank__'));
    await expect(page.getByTestId('not-found')).toBeVisible();

    const t0 = Date.now();
    await page.evaluate((r) => (location.hash = '#' + r), tp.route());
    await expect(tp.ready(page).first()).toBeVisible({ timeout: 20_000 });
    await expect(tp.control(page).first()).toBeEnabled({ timeout: 20_000 });
    const ms = Date.now() - t0;
    const budget = tp.budgetMs ?? DEFAULT_BUDGET_MS;
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.waitForTimeout(300);

    await page.screenshot({ path: path.join(SCREENS, `tour-${tp.name}.png`) });
    const overflow = await page.evaluate(findOverflow);
    const latin = [...new Set((await page.evaluate(visibleTexts)).filter(disallowedLatin))];
    const axe = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    const violations = axe.violations.map(
      (v) =>
        `${v.id} (${v.nodes.length}): ${v.help} — ${v.nodes
          .slice(0, 4)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
    results[tp.name] = {
      ms,
      axe: axe.violations.reduce((s, v) => s + v.nodes.length, 0),
      overflow: overflow.length,
      latin: latin.length,
    };
    console.log(
      `tour ${tp.name}: ${ms} ms (budget ${budget}), axe ${violations.length}, overflow ${overflow.length}, latin ${latin.length}`,
    );

    expect.soft(overflow, 'horizontal overflow').toEqual([]);
    expect.soft(latin, 'Latin text outside the allowed list').toEqual([]);
    expect.soft(violations, 'axe violations').toEqual([]);
    expect.soft(ms, `interactive within ${budget} ms`).toBeLessThanOrEqual(budget);
  });
}

test('tour: recovery page (damaged database)', async ({ page }) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-e2e-tour-damaged-'));
  writeFileSync(path.join(dataDir, 'agentlocator.db'), Buffer.alloc(64 * 1024, 7));
  const damaged = await startApp({ dataDir });
  try {
    await page.goto(damaged.openUrl);
    await expect(page.getByTestId('recovery-page')).toBeVisible();
    await page.screenshot({ path: path.join(SCREENS, 'tour-recovery.png') });
    const overflow = await page.evaluate(findOverflow);
    const latin = [...new Set((await page.evaluate(visibleTexts)).filter(disallowedLatin))];
    const axe = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    results.recovery = {
      ms: 0,
      axe: axe.violations.reduce((s, v) => s + v.nodes.length, 0),
      overflow: overflow.length,
      latin: latin.length,
    };
    expect.soft(overflow).toEqual([]);
    expect.soft(latin).toEqual([]);
    expect
      .soft(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`))
      .toEqual([]);
  } finally {
    await damaged.stop();
    damaged.cleanup();
  }
});
