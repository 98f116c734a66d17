import { z } from 'zod';
import { defaultDataDir } from './paths';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);

/**
 * Every environment variable the app reads, with its default. The README's configuration
 * table is written from this list; keep them together.
 */
export const envSchema = z.object({
  PORT: port.default(5050),
  HOST: z.string().default('0.0.0.0'),
  LOCAL_PORT: port.default(5051),
  AGENTLOCATOR_DATA_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_TO_STDOUT: bool.default(true),
  PUBLIC_HOST: z.string().optional(),
  /**
   * Addresses of a reverse proxy in front of the public server whose X-Forwarded-For is
   * believed (comma-separated IPs or CIDRs). Empty: the connecting address is the client.
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]))),
  WEBHOOK_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(100000).default(60),
  PUBLIC_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(1000000).default(600),
  TWILIO_SKIP_SIGNATURE_VALIDATION: bool.default(false),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_API_BASE_URL: z.string().url().optional(),
  /** Voice-message download from Twilio: per-attempt timeout, extra attempts, first backoff. */
  RECORDING_DOWNLOAD_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  RECORDING_DOWNLOAD_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  RECORDING_DOWNLOAD_BACKOFF_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** The WhatsApp provider until the owner picks one in Settings. */
  WHATSAPP_PROVIDER: z.enum(['baileys', 'twilio']).default('baileys'),
  /** The Twilio WhatsApp sender (E.164) until the owner sets one in Settings. */
  TWILIO_WHATSAPP_FROM: z.string().optional(),
  /** The outbox's jittered gap between two WhatsApp sends, "min-max" ms (default 2000-5000). */
  WHATSAPP_SEND_GAP_MS: z
    .string()
    .regex(/^\d{1,6}-\d{1,6}$/)
    .optional(),
  OPENAI_API_KEY: z.string().optional(),
  NGROK_AUTHTOKEN: z.string().optional(),
  /** Where the ngrok SDK connects (its own default when unset); tests point it at a closed local port. */
  NGROK_SERVER_ADDR: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  /** Online payments: PayPal's API origin (default: sandbox or live as set in Settings), Tranzila's hosted page and report API (tests: the fakes). */
  PAYPAL_API_BASE: z.string().url().optional(),
  TRANZILA_DIRECT_BASE: z.string().url().optional(),
  TRANZILA_REPORT_BASE: z.string().url().optional(),
  GOOGLE_TTS_ENDPOINT: z.string().url().optional(),
  GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON: z.string().optional(),
  GOOGLE_TTS_SA_JSON: z.string().optional(),
  GOOGLE_APPLICATION_CREDENTIALS: z.string().optional(),
  /** Live media streams: DEBUG heartbeat period, and no inbound media for this long closes the stream. */
  MEDIA_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  MEDIA_IDLE_TIMEOUT_MS: z.coerce.number().int().min(500).max(3_600_000).default(30_000),
  AGENTLOCATOR_LOCAL_TOKEN: z.string().min(16).optional(),
  AGENTLOCATOR_COMMIT: z.string().optional(),
  AGENTLOCATOR_BUILD_TIME: z.string().optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  env: Env;
  dataDir: string;
}

/** Reads the environment once; an invalid value stops start-up with a message naming it. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { env: parsed.data, dataDir: parsed.data.AGENTLOCATOR_DATA_DIR ?? defaultDataDir() };
}
