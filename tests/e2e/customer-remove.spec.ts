/**
 * Removing a customer from their page (browser mode, Chromium): the dialog says first what a
 * delete does (deals and tasks go, documents stay), deletes; a customer with a contract cannot be
 * deleted and is merged into another instead, the contract moving with them.
 * Screenshots: test-results/screens/customer-remove-*.png.
 */
import { expect, test } from '@playwright/test';
import { screenshot, startApp, type RunningApp } from './harness';

test.use({ viewport: { width: 1366, height: 768 } });
let app: RunningApp;

const shot = screenshot;

async function api<T = any>(method: string, input: unknown): Promise<{ status: number; data: T }> {
  const res = await fetch(`${app.localUrl}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { data: T };
  return { status: res.status, data: body.data };
}
const ok = async <T = any>(method: string, input: unknown) => {
  const r = await api<T>(method, input);
  if (r.status !== 200) throw new Error(`${method}: ${r.status}`);
  return r.data;
};

test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.stop();
  app?.cleanup();
});

test('delete: said first, then done; a customer with a contract is merged instead', async ({ page }) => {
  const dana = await ok('crm.customers.create', { name: 'דנה למחיקה', phone: '054-5550201' });
  await ok('crm.deals.create', { customerId: dana.id, title: 'עסקה', amountAgorot: 10_000 });
  await ok('crm.tasks.create', { customerId: dana.id, title: 'משימה', dueAt: Date.now() + 86_400_000 });

  await page.goto(`${app.openUrl}#/customers/${dana.id}`);
  await page.getByTestId('customer-remove-button').click();
  const dialog = page.getByTestId('customer-remove');
  await expect(dialog.getByTestId('remove-impact')).toContainText('עסקה אחת · משימה אחת — יימחקו יחד איתו');
  await shot(page, 'customer-remove-delete.png');
  await dialog.getByTestId('remove-confirm-delete').click();
  await expect(page).toHaveURL(/#\/customers$/);
  expect((await api('crm.customers.get', { id: dana.id })).status).toBe(404);

  // With a contract: the delete is refused, with the way out.
  const avi = await ok('crm.customers.create', { name: 'אבי עם חוזה', phone: '054-5550202' });
  const keep = await ok('crm.customers.create', { name: 'אבי כהן', phone: '054-5550203' });
  const templates = await ok<Array<{ id: number }>>('contracts.templates.list', {});
  const contract = await ok('contracts.create', { customerId: avi.id, templateId: templates[0]!.id });
  await page.goto(`${app.openUrl}#/customers/${avi.id}`);
  await page.getByTestId('customer-remove-button').click();
  await expect(dialog.getByTestId('remove-blocked')).toContainText('חוזה אחד');
  await expect(dialog.getByTestId('remove-confirm-delete')).toBeDisabled();
  await shot(page, 'customer-remove-blocked.png');
  await dialog.getByTestId('remove-mode-merge').click();
  await dialog.getByRole('textbox').fill('אבי כהן');
  await dialog.getByText('אבי כהן', { exact: true }).click();
  await dialog.getByTestId('remove-confirm-merge').click();
  await expect(page).toHaveURL(new RegExp(`#/customers/${keep.id}$`));
  expect((await ok('contracts.get', { id: contract.id })).customerId).toBe(keep.id);
  expect((await api('crm.customers.get', { id: avi.id })).status).toBe(404);
});
