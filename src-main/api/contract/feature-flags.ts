/** Feature flags per business (SPEC §3), with their defaults. */
export const FEATURE_DEFAULTS = {
  crm_enabled: true,
  whatsapp_enabled: true,
  invoices_enabled: true,
  contracts_enabled: true,
  signature_enabled: true,
  enable_calls_stream: true,
  enable_recording_fallback: true,
  enable_payments_paypal: false,
  enable_payments_tranzila: false,
  ai_whatsapp_autoreply: false,
} as const;
export type FeatureFlag = keyof typeof FEATURE_DEFAULTS;
export const FEATURE_FLAGS = Object.keys(FEATURE_DEFAULTS) as FeatureFlag[];
