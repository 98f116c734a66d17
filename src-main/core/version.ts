import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { VersionInfo } from '../api/contract/system';
import type { Env } from '../platform/config';

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Name and version from package.json; commit and build time from the build (out/main/build-info.json) or env. */
export function readVersion(appRoot: string, env: Env): VersionInfo {
  const pkg = readJson(path.join(appRoot, 'package.json'));
  const build = readJson(path.join(appRoot, 'out', 'main', 'build-info.json'));
  return {
    app: String(pkg.productName ?? 'AgentLocator'),
    version: String(pkg.version ?? '0.0.0'),
    commit: env.AGENTLOCATOR_COMMIT ?? String(build.commit ?? 'dev'),
    build_time: env.AGENTLOCATOR_BUILD_TIME ?? String(build.build_time ?? 'dev'),
  };
}
