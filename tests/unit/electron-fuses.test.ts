/**
 * The packaged app's Electron fuses. The binary cannot be built here, so this reads
 * electron-builder.yml the way electron-builder does, validates it against the installed
 * builder's schema, and asks the builder itself which fuses it will flip before signing.
 */
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { PlatformPackager } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('Electron fuses of the packaged app', () => {
  it('turns off Node entry points and turns on cookie encryption and ASAR-only, validated loading', async () => {
    const config = await getConfig(ROOT, null, null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.electronFuses).toBeTruthy();

    // The wire electron-builder writes (its own mapping from the YAML keys).
    const packager = PlatformPackager.prototype as unknown as {
      generateFuseConfig(fuses: unknown): Promise<Record<string, unknown>>;
    };
    const wire = await packager.generateFuseConfig.call({}, config.electronFuses);
    expect(wire.version).toBe(FuseVersion.V1);
    const flipped = Object.fromEntries(
      Object.entries(wire)
        .filter(([k]) => /^\d+$/.test(k))
        .map(([k, v]) => [FuseV1Options[Number(k)], v]),
    );
    expect(flipped).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      GrantFileProtocolExtraPrivileges: false,
    });
  }, 60_000);

  it('packs the app into an ASAR archive (the fuses above need one)', async () => {
    const config = await getConfig(ROOT, null, null);
    expect(config.asar ?? true).not.toBe(false);
  }, 60_000);
});
