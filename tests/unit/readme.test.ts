import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src-main/platform/config';
import { findAppRoot } from '../../src-main/platform/paths';

const readme = readFileSync(path.join(findAppRoot(), 'README.md'), 'utf8');

describe('README', () => {
  it('opens with exactly the two set-up commands', () => {
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = firstBlock
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.split('#')[0]!.trim());
    expect(commands).toEqual(['npm run app', 'npm test']);
  });

  it('documents every environment variable the app reads', () => {
    const missing = Object.keys(envSchema.shape).filter((k) => !readme.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });
});
