import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src-main/platform/config';
import { SecretsResolver } from '../../src-main/platform/secrets-resolver';
import type { SecretName } from '../../src-main/platform/secrets';

const envOf = (vars: Record<string, string>) =>
  loadConfig({ AGENTLOCATOR_DATA_DIR: '/nonexistent', ...vars }).env;

function store(values: Partial<Record<SecretName, string>>, broken: SecretName[] = []) {
  return {
    get(name: SecretName) {
      if (broken.includes(name)) throw new Error('Unsupported state or unable to authenticate data');
      return values[name];
    },
  };
}

describe('SecretsResolver: Settings over environment, for every secret', () => {
  it('prefers the value entered in Settings, falls back to the env variable, else nothing', () => {
    const env = envOf({ OPENAI_API_KEY: 'sk-env', TWILIO_AUTH_TOKEN: 'env-token' });
    const r = new SecretsResolver(store({ openai_api_key: 'sk-settings' }), env);
    expect(r.lookup('openai_api_key')).toEqual({ value: 'sk-settings', source: 'settings' });
    expect(r.lookup('twilio_auth_token')).toEqual({ value: 'env-token', source: 'env' });
    expect(r.lookup('twilio_account_sid')).toBeUndefined();
    expect(r.get('ngrok_authtoken')).toBeUndefined();
  });

  it('follows a change in Settings at once (no value kept by the resolver)', () => {
    const values: Partial<Record<SecretName, string>> = {};
    const r = new SecretsResolver(store(values), envOf({ TWILIO_AUTH_TOKEN: 'old' }));
    expect(r.get('twilio_auth_token')).toBe('old');
    values.twilio_auth_token = 'rotated';
    expect(r.get('twilio_auth_token')).toBe('rotated');
    delete values.twilio_auth_token;
    expect(r.get('twilio_auth_token')).toBe('old');
  });

  it('treats an undecryptable stored value as unset, warning once by name and never by value', () => {
    const warnings: unknown[] = [];
    const log = { warn: (o: unknown) => warnings.push(o) } as never;
    const r = new SecretsResolver(
      store({}, ['openai_api_key']),
      envOf({ OPENAI_API_KEY: 'sk-env-fallback' }),
      log,
    );
    expect(r.get('openai_api_key')).toBe('sk-env-fallback');
    expect(r.get('openai_api_key')).toBe('sk-env-fallback');
    expect(warnings).toEqual([{ secret_name: 'openai_api_key', err: expect.any(String) }]);
    expect(JSON.stringify(warnings)).not.toContain('sk-env');
  });

  it('ignores blank values on both sides', () => {
    const r = new SecretsResolver(store({ openai_api_key: '   ' }), envOf({ OPENAI_API_KEY: '  ' }));
    expect(r.get('openai_api_key')).toBeUndefined();
  });
});
