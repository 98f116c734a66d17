/**
 * Online payments as a feature module: the `payments.*` API, the PayPal/Tranzila public routes
 * and their readiness. It reaches the billing domain (documents, the payments table, receipts)
 * only through the `PaymentLedger` port the core hands it.
 */
import type { EventBus } from '../../api/events';
import type { Features } from '../../api/contract/business';
import type { FeatureModule } from '../../core/module';
import type { Db } from '../../db/client';
import type { Clock } from '../../platform/clock';
import type { Env } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import type { SecretsResolver } from '../../platform/secrets-resolver';
import type { SettingsStore } from '../../platform/settings';
import { registerPaymentRoutes } from '../payment-routes';
import type { PaymentLedger } from './ledger';
import { OnlinePayments } from './service';

export interface PaymentsModuleDeps {
  env: Pick<Env, 'PAYPAL_API_BASE' | 'TRANZILA_DIRECT_BASE' | 'TRANZILA_REPORT_BASE'>;
  db: Db;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  keys: SecretsResolver;
  settings: SettingsStore;
  features: () => Features;
  businessName: () => string;
  publicHost: () => string | undefined;
  ledger: PaymentLedger;
}

export interface PaymentsModule extends FeatureModule {
  payments: OnlinePayments;
}

export function paymentsModule(deps: PaymentsModuleDeps): PaymentsModule {
  const payments = new OnlinePayments({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    keys: deps.keys,
    settings: deps.settings,
    features: deps.features,
    businessName: deps.businessName,
    publicOrigin: () => {
      const host = deps.publicHost();
      return host ? `https://${host}` : undefined;
    },
    ledger: deps.ledger,
    endpoints: {
      paypalApiBase: deps.env.PAYPAL_API_BASE,
      tranzilaDirectBase: deps.env.TRANZILA_DIRECT_BASE,
      tranzilaReportBase: deps.env.TRANZILA_REPORT_BASE,
    },
    onChange: (c) => deps.bus.emit('payments.checkoutUpdated', c),
  });
  return {
    name: 'payments',
    payments,
    handlers: {
      'payments.providerStatus': () => payments.status(),
      'payments.updateSettings': (input) => payments.updateSettings(input),
      'payments.createPayPalOrder': (input) => payments.createPayPalOrder(input),
      'payments.createTranzilaLink': (input) => payments.createTranzilaLink(input),
      'payments.checkout': (input) => payments.checkout(input.id),
      'payments.checkouts': (input) => payments.list(input),
    },
    public: {
      name: 'payments',
      routes: (app) => registerPaymentRoutes(app, payments, deps.logger),
    },
    readiness: {
      paypal: () => payments.readiness('paypal'),
      tranzila: () => payments.readiness('tranzila'),
    },
  };
}
