import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentTypeFor, resolveAppPath } from '../../src-main/electron/app-protocol';

const root = path.resolve('/opt/AgentLocator/resources/app.asar/out/renderer');
const inRoot = (...p: string[]) => path.join(root, ...p);

describe('app:// request → file in the built renderer', () => {
  it.each([
    ['app://agentlocator/index.html', inRoot('index.html')],
    ['app://agentlocator/', inRoot('index.html')],
    ['app://agentlocator', inRoot('index.html')],
    ['app://agentlocator/index.html#/customers/12', inRoot('index.html')],
    ['app://agentlocator/assets/index-Bq3x.js?v=2', inRoot('assets', 'index-Bq3x.js')],
    ['app://agentlocator/assets/capture-worklet-9a.js', inRoot('assets', 'capture-worklet-9a.js')],
    ['app://agentlocator/files/assistant%20hebrew.woff2', inRoot('files', 'assistant hebrew.woff2')],
    ['app://agentlocator/%D7%A9%D7%9C%D7%95%D7%9D.png', inRoot('שלום.png')],
    // decoded once only: a literal file name, still inside the folder
    ['app://agentlocator/%252e%252e/x', inRoot('%2e%2e', 'x')],
  ])('%s → its file', (url, file) => {
    expect(resolveAppPath(url, root)).toBe(file);
  });

  it.each([
    ['a parent segment', 'app://agentlocator/../../etc/passwd'],
    ['a parent segment after a folder', 'app://agentlocator/assets/../../../etc/passwd'],
    ['an encoded parent segment', 'app://agentlocator/%2e%2e/%2e%2e/etc/passwd'],
    ['a half-encoded parent segment', 'app://agentlocator/.%2E/secret'],
    ['a current-folder segment', 'app://agentlocator/./index.html'],
    ['a trailing parent segment', 'app://agentlocator/assets/..'],
    ['an encoded slash', 'app://agentlocator/..%2f..%2fetc%2fpasswd'],
    ['an encoded absolute path', 'app://agentlocator/%2Fetc%2Fpasswd'],
    ['an encoded backslash', 'app://agentlocator/assets%5c..%5c..%5csecret.key'],
    ['a literal backslash', 'app://agentlocator/assets\\..\\..\\secret.key'],
    ['a drive letter', 'app://agentlocator/C:%5CWindows%5Cwin.ini'],
    ['a NUL', 'app://agentlocator/index.html%00.png'],
    ['an empty segment', 'app://agentlocator//etc/passwd'],
    ['a malformed escape', 'app://agentlocator/%E0%A4%A'],
    ['another host', 'app://evil/index.html'],
    ['a look-alike host', 'app://agentlocator.evil/index.html'],
    ['a port', 'app://agentlocator:8080/index.html'],
    ['credentials', 'app://u:p@agentlocator/index.html'],
    ['another scheme', 'file:///opt/AgentLocator/resources/app.asar/out/renderer/index.html'],
    ['http with our host', 'http://agentlocator/index.html'],
    ['garbage', 'not a url'],
    ['nothing', ''],
  ])('refuses %s', (_what, url) => {
    expect(resolveAppPath(url, root)).toBeNull();
  });

  it('never answers with a file outside the folder, whatever the path', () => {
    const parts = [
      '..',
      '.',
      '%2e',
      '%2E%2e',
      '%2f',
      '%5c',
      '\\',
      'a',
      'index.html',
      '%00',
      ':',
      '',
      '%',
      '~',
    ];
    let answered = 0;
    for (const a of parts)
      for (const b of parts)
        for (const c of parts) {
          const file = resolveAppPath(`app://agentlocator/${a}/${b}${c}/${c}${a}`, root);
          if (file === null) continue;
          answered++;
          expect(file.startsWith(root + path.sep)).toBe(true);
          expect(path.relative(root, file).split(path.sep)).not.toContain('..');
        }
    expect(answered).toBeGreaterThan(0); // the loop did reach the positive branch
  });
});

describe('content types of the files served', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['assets/index-Bq3x.js', 'text/javascript; charset=utf-8'],
    ['assets/index-Bq3x.CSS', 'text/css; charset=utf-8'],
    ['files/assistant.woff2', 'font/woff2'],
    ['favicon.png', 'image/png'],
    ['icon.svg', 'image/svg+xml'],
    ['no-extension', 'application/octet-stream'],
    ['evil.exe', 'application/octet-stream'],
  ])('%s is %s', (file, type) => {
    expect(contentTypeFor(inRoot(file))).toBe(type);
  });
});
