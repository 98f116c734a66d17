import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAppUrl } from '../../src-main/electron/trust';

const rendererFile = '/opt/AgentLocator/resources/app.asar/out/renderer/index.html';
const app = pathToFileURL(rendererFile).href;

describe('which pages the Electron shell trusts', () => {
  it('trusts its own renderer, with any route in the hash', () => {
    expect(isAppUrl(app, { rendererFile })).toBe(true);
    expect(isAppUrl(`${app}#/customers/12`, { rendererFile })).toBe(true);
  });

  it('trusts the dev server only when one is configured', () => {
    expect(
      isAppUrl('http://localhost:5173/#/', { rendererFile, devServerUrl: 'http://localhost:5173' }),
    ).toBe(true);
    expect(isAppUrl('http://localhost:5173/#/', { rendererFile })).toBe(false);
  });

  it.each([
    ['another local file', 'file:///home/owner/Downloads/invoice.html'],
    ['a web page', 'https://example.com/'],
    ['a look-alike host', 'http://localhost:5173.evil.example/'],
    ['nothing', undefined],
    ['garbage', 'not a url'],
  ])('does not trust %s', (_what, url) => {
    expect(isAppUrl(url, { rendererFile, devServerUrl: 'http://localhost:5173' })).toBe(false);
  });
});
