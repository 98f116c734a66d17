/**
 * One valid-looking body for every method of the API contract, for tests that iterate the
 * contract (feature flags, fuzz). `tests/integration/feature-flags.test.ts` checks that every
 * method has one and that the contract's own schema accepts it, so a new method cannot be
 * left out silently.
 */
import type { MethodName } from '../../src-main/api/contract';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 15, 10);
const csv = 'name,phone\nדנה לוי,050-1234567\n';

export const VALID_BODIES: Record<MethodName, unknown> = {
  'system.info': {},
  'system.startFresh': {},
  'secrets.status': {},
  'secrets.set': { name: 'paypal_client_id', value: 'fuzz-client-id' },
  'audit.history': { entityType: 'secret', entityId: 0 },
  'audit.verify': {},
  'business.get': {},
  'business.updateProfile': { name: 'מספרת שושנה', city: 'חיפה' },
  'business.updateKnowledge': { hours: 'א׳–ה׳ 9:00–18:00', faq: [{ q: 'חניה?', a: 'יש' }] },
  'business.setFeatures': { whatsapp_enabled: true },
  'calls.list': { page: 1, limit: 10 },
  'calls.get': { id: 1 },
  'calls.recording': { id: 1 },
  'calls.dialCheck': { customerId: 1 },
  'calls.dial': { customerId: 1, mode: 'bridge' },
  'monitor.liveCalls': {},
  'monitor.hangup': { callSid: 'CA00000000000000000000000000000001' },
  'monitor.transfer': { callSid: 'CA00000000000000000000000000000001' },
  'voice.getSettings': {},
  'voice.updateSettings': { silenceMs: 700 },
  'crm.customers.list': { q: 'דנה', page: 1, limit: 10, sort: 'name', dir: 'asc' },
  'crm.customers.get': { id: 1 },
  'crm.customers.create': { name: 'יוסי כהן', phone: '052-7654321', tags: ['VIP'] },
  'crm.customers.update': { id: 1, notes: 'התקשר שוב' },
  'crm.customers.merge': { targetId: 1, sourceId: 2 },
  'crm.customers.importPreview': { csv },
  'crm.customers.importCommit': { csv },
  'crm.customers.export': { q: 'דנה' },
  'crm.timeline': { customerId: 1, limit: 10 },
  'crm.deals.board': { limitPerStage: 10 },
  'crm.deals.create': { customerId: 1, title: 'תספורת', amountAgorot: 12_000 },
  'crm.deals.update': { id: 1, title: 'צבע' },
  'crm.deals.move': { id: 1, stage: 'qualified', beforeId: null },
  'crm.tasks.list': { status: 'all', page: 1, limit: 10 },
  'crm.tasks.create': { title: 'להתקשר', kind: 'callback', dueAt: NOW + DAY },
  'crm.tasks.update': { id: 1, title: 'להתקשר שוב' },
  'crm.tasks.setDone': { id: 1, done: true },
  'crm.tasks.delete': { id: 1 },
  'crm.calendar': { from: NOW, to: NOW + 7 * DAY },
  'crm.dashboard': {},
  'crm.reports': { from: NOW - 30 * DAY, to: NOW },
  'crm.search': { q: 'דנה' },
  'phone.numbers': {},
  'phone.setup': {},
  'phone.pick': { sid: `PN${'a'.repeat(32)}` },
  'phone.configure': { auto: false },
  'phone.undo': {},
  'tunnel.status': {},
  'tunnel.configure': { enabled: true, domain: 'shop.ngrok.app' },
  'setup.checkKey': { key: 'ngrok' },
  'setup.checkAddress': {},
  'setup.status': {},
  'setup.mark': { skipped: { step: 'number', value: true }, wizardSeen: true },
  'setup.doctor': {},
};
