import type { Env } from './config';
import type { Logger } from './logger';
import type { SecretName, SecretsStore } from './secrets';

/** Where a secret's value came from: the owner's Settings, or an environment variable. */
export type SecretSource = 'settings' | 'env';

/**
 * The environment variable that supplies each secret when Settings has none. Google's service
 * account has three variables of its own (resolved by `resolveGoogleCredentials`).
 */
export const SECRET_ENV: Partial<Record<SecretName, keyof Env>> = {
  openai_api_key: 'OPENAI_API_KEY',
  twilio_account_sid: 'TWILIO_ACCOUNT_SID',
  twilio_auth_token: 'TWILIO_AUTH_TOKEN',
  ngrok_authtoken: 'NGROK_AUTHTOKEN',
};

/**
 * The one lookup for every secret: a value entered in Settings overrides the environment
 * variable (so rotating a leaked key in the app takes effect at once, on every path), the
 * variable is the default. Callers ask at the moment of use and keep no resolved value.
 */
export class SecretsResolver {
  private warned = new Set<SecretName>();

  constructor(
    private readonly store: Pick<SecretsStore, 'get'>,
    private readonly env: Env,
    private readonly log?: Logger,
  ) {}

  get(name: SecretName): string | undefined {
    return this.lookup(name)?.value;
  }

  /** The value and where it came from; undefined when neither Settings nor env has it. */
  lookup(name: SecretName): { value: string; source: SecretSource } | undefined {
    const stored = this.stored(name);
    if (stored) return { value: stored, source: 'settings' };
    const envName = SECRET_ENV[name];
    const fromEnv = envName ? this.env[envName] : undefined;
    if (typeof fromEnv === 'string' && fromEnv.trim()) return { value: fromEnv.trim(), source: 'env' };
    return undefined;
  }

  /** The Settings value alone (for secrets whose env fallbacks are resolved elsewhere). */
  stored(name: SecretName): string | undefined {
    try {
      return this.store.get(name)?.trim() || undefined;
    } catch (err) {
      // A value that cannot be decrypted (another computer's safeStorage, a damaged row) is
      // treated as not set — said once, by name, never by value.
      if (!this.warned.has(name)) {
        this.warned.add(name);
        this.log?.warn({ secret_name: name, err: (err as Error).message }, 'stored secret unreadable');
      }
      return undefined;
    }
  }

  /** After Settings changed a secret: an unreadable value may be readable again. */
  changed(name: SecretName): void {
    this.warned.delete(name);
  }
}
