import { afterEach, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('desktop settings', () => {
  it('start with the computer by default; a change is stored, announced to the shell, and survives a restart', async () => {
    t = await startTestCore({});
    expect((await t.api('desktop.settings.get')).body.data).toEqual({ openAtLogin: true, updateFeedUrl: '' });
    const heard: unknown[] = [];
    const off = t.core.bus.subscribe((e) => e.name === 'desktop.settings' && heard.push(e.payload));
    const set = await t.api('desktop.settings.set', { openAtLogin: false });
    expect(set.body.data).toEqual({ openAtLogin: false, updateFeedUrl: '' });
    expect(heard).toEqual([{ openAtLogin: false, updateFeedUrl: '' }]);
    off();

    for (const bad of [
      { updateFeedUrl: 'http://plain.example/feed' },
      { openAtLogin: 'yes' },
      { other: 1 },
    ]) {
      expect((await t.api('desktop.settings.set', bad)).status).toBe(400);
    }
    const dir = t.core.paths.dataDir;
    await t.stop({ keepData: true });
    t = await startTestCore({}, dir);
    expect((await t.api('desktop.settings.get')).body.data).toEqual({
      openAtLogin: false,
      updateFeedUrl: '',
    });
  });
});
