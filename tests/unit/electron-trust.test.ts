import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, APP_ORIGIN } from '../../src-main/electron/app-protocol';
import { isAppUrl } from '../../src-main/electron/trust';

const dev = { devServerUrl: 'http://localhost:5173' };

describe('which pages the Electron shell trusts', () => {
  it('trusts its own app://agentlocator page, with any route in the hash', () => {
    expect(APP_INDEX_URL).toBe('app://agentlocator/index.html');
    expect(isAppUrl(APP_INDEX_URL, {})).toBe(true);
    expect(isAppUrl(`${APP_INDEX_URL}#/customers/12`, {})).toBe(true);
    // a permission check names the origin alone
    expect(isAppUrl(APP_ORIGIN, {})).toBe(true);
    expect(isAppUrl('app://agentlocator/', dev)).toBe(true);
  });

  it('trusts the dev server only when one is configured', () => {
    expect(isAppUrl('http://localhost:5173/#/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/#/', {})).toBe(false);
    expect(isAppUrl('file:///etc/passwd', { devServerUrl: 'file:///etc/' })).toBe(false);
  });

  it.each([
    [
      'the renderer as a file (the old way in)',
      pathToFileURL('/opt/AgentLocator/resources/app.asar/out/renderer/index.html').href,
    ],
    ['another local file', 'file:///home/owner/Downloads/invoice.html'],
    ['another app: host', 'app://evil/index.html'],
    ['a look-alike app: host', 'app://agentlocator.evil/index.html'],
    ['our host with a port', 'app://agentlocator:8080/index.html'],
    ['our host with credentials', 'app://user:pw@agentlocator/index.html'],
    ['another scheme with our host', 'https://agentlocator/index.html'],
    ['a web page', 'https://example.com/'],
    ['a look-alike dev host', 'http://localhost:5173.evil.example/'],
    ['the dev host on another port', 'http://localhost:5174/'],
    ['nothing', undefined],
    ['an empty string', ''],
    ['garbage', 'not a url'],
  ])('does not trust %s', (_what, url) => {
    expect(isAppUrl(url, dev)).toBe(false);
  });
});
