/** The CRM feature module: API handlers and the reminder scheduler. */
import type { AuditInput } from '../platform/audit';
import type { EventBus } from '../api/events';
import type { FeatureModule } from '../core/module';
import type { Db } from '../db/client';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { Notifier } from '../platform/notifier';
import { CustomerService } from './customers';
import { DealService } from './deals';
import { exportCustomers, importCommit, importPreview } from './import-export';
import { dashboard, globalSearch, reports } from './insights';
import { StatementCache } from './sql';
import { ReminderScheduler, TaskService } from './tasks';
import { taskTimelineSource, timeline } from './timeline';
import { isBuilt } from '../api/contract/business';
import type { TimelineSource } from '../platform/timeline';

export interface CrmDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  notifier: Notifier;
  /** Longest sleep of the reminder scheduler between checks. */
  reminderMaxSleepMs?: number;
  /** The other modules' timeline sources (calls, messages, documents …), read at request time. */
  timelineSources?: () => readonly TimelineSource[];
  /** Tells the other modules, inside the merge transaction, that one customer became another. */
  customerMerged?: (intoId: number, fromId: number) => void;
  /** The platform's audit log (a deleted customer is recorded there). */
  audit?: (e: AuditInput) => void;
}

export function createCrm(deps: CrmDeps) {
  const sql = new StatementCache(deps.db.$client);
  const emit = (entity: 'customer' | 'deal' | 'task') => (id: number) =>
    deps.bus.emit('crm.changed', { entity, id });
  const assertCustomer = (id: number) => void customers.row(id);
  const taskChanged = (id: number) => {
    emit('task')(id);
    scheduler.poke();
  };
  const deals: DealService = new DealService(sql, deps.clock, assertCustomer, emit('deal'));
  const tasks: TaskService = new TaskService(sql, deps.clock, assertCustomer, taskChanged);
  const customers: CustomerService = new CustomerService(
    sql,
    deps.clock,
    () => deals,
    () => tasks,
    emit('customer'),
    deps.customerMerged,
    deps.audit,
  );
  const scheduler: ReminderScheduler = new ReminderScheduler({
    tasks,
    clock: deps.clock,
    notifier: deps.notifier,
    logger: deps.logger.child({ module: 'crm.reminders' }),
    maxSleepMs: deps.reminderMaxSleepMs,
    emit: (t) =>
      deps.bus.emit('crm.reminder', {
        taskId: t.id,
        title: t.title,
        customerId: t.customerId,
        customerName: t.customerName,
        at: t.reminderAt ?? deps.clock.now(),
      }),
  });
  return { sql, customers, deals, tasks, scheduler };
}

export function crmModule(deps: CrmDeps): FeatureModule {
  const crm = createCrm(deps);
  const { sql, customers, deals, tasks, scheduler } = crm;
  const ownSources = [taskTimelineSource(deps.db.$client)];
  const sources = () =>
    [...ownSources, ...(deps.timelineSources?.() ?? [])].filter((s) => isBuilt(s.capability));
  return {
    name: 'crm',
    handlers: {
      'crm.customers.list': (i) => customers.list(i),
      'crm.customers.get': (i) => customers.detail(i.id),
      'crm.customers.create': (i) => customers.create(i),
      'crm.customers.update': (i) => customers.update(i),
      'crm.customers.merge': (i) => customers.merge(i.targetId, i.sourceId),
      'crm.customers.deleteImpact': (i) => customers.deleteImpact(i.id),
      'crm.customers.delete': (i) => customers.delete(i.id),
      'crm.customers.importPreview': (i) => importPreview(i.csv, sql, i),
      'crm.customers.importCommit': (i) => {
        const r = importCommit(i.csv, sql, deps.clock, i);
        if (r.imported || r.updated) deps.bus.emit('crm.changed', { entity: 'customer', id: 1 });
        return r;
      },
      'crm.customers.export': (i) => exportCustomers(customers, i, deps.clock.now()),
      'crm.timeline': (i) => {
        customers.row(i.customerId);
        return timeline(sources(), i.customerId, i.limit, i.cursor);
      },
      'crm.deals.board': ({ limitPerStage, ...filters }) => deals.board(limitPerStage, filters),
      'crm.deals.stage': ({ stage, cursor, limit, ...filters }) =>
        deals.stagePage(stage, limit, filters, cursor),
      'crm.deals.create': (i) => deals.create(i),
      'crm.deals.update': (i) => deals.update(i),
      'crm.deals.move': (i) => deals.move(i),
      'crm.tasks.list': (i) => tasks.list(i),
      'crm.tasks.create': (i) => tasks.create(i),
      'crm.tasks.update': (i) => tasks.update(i),
      'crm.tasks.setDone': (i) => tasks.setDone(i.id, i.done),
      'crm.tasks.delete': (i) => {
        tasks.delete(i.id);
        return { ok: true as const };
      },
      'crm.calendar': (i) => tasks.calendar(i.from, i.to, i.perDay, i.offset),
      'crm.dashboard': () => dashboard(sql, deps.clock),
      'crm.reports': (i) => reports(sql, deps.clock, i.from, i.to),
      'crm.search': (i) => globalSearch(sql, i.q),
    },
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
  };
}
