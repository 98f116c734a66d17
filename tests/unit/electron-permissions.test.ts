import { describe, expect, it } from 'vitest';
import { decidePermission, TestCallMicGate } from '../../src-main/electron/permissions';

/** Every permission name Electron 41's request and check handlers can pass (electron.d.ts). */
const PERMISSIONS = [
  'clipboard-read',
  'clipboard-sanitized-write',
  'deprecated-sync-clipboard-read',
  'display-capture',
  'fileSystem',
  'fullscreen',
  'geolocation',
  'hid',
  'idle-detection',
  'keyboardLock',
  'media',
  'mediaKeySystem',
  'midi',
  'midiSysex',
  'notifications',
  'openExternal',
  'pointerLock',
  'serial',
  'speaker-selection',
  'storage-access',
  'top-level-storage-access',
  'unknown',
  'usb',
  'window-management',
  'a-future-permission',
];
const MEDIA_TYPES: Array<string[] | undefined> = [
  undefined,
  [],
  ['audio'],
  ['video'],
  ['audio', 'video'],
  ['video', 'audio'],
  ['unknown'],
  ['audio', 'audio'],
  ['audio', 'unknown'],
];
const BOOLS = [true, false];

describe('which permissions the Electron shell grants', () => {
  it('grants exactly one thing: audio-only media, to our own main frame, during a test call', () => {
    let granted = 0;
    let asked = 0;
    for (const permission of PERMISSIONS)
      for (const mediaTypes of MEDIA_TYPES)
        for (const isOwnPage of BOOLS)
          for (const isMainFrame of BOOLS)
            for (const testCallActive of BOOLS) {
              asked++;
              const q = { permission, mediaTypes, isOwnPage, isMainFrame, testCallActive };
              const expected =
                permission === 'media' &&
                isOwnPage &&
                isMainFrame &&
                testCallActive &&
                mediaTypes !== undefined &&
                mediaTypes.length > 0 &&
                mediaTypes.every((t) => t === 'audio');
              expect(decidePermission(q), JSON.stringify(q)).toBe(expected);
              if (expected) granted++;
            }
    expect(asked).toBe(PERMISSIONS.length * MEDIA_TYPES.length * 8);
    // ['audio'] and ['audio', 'audio'] — nothing else
    expect(granted).toBe(2);
  });

  const call = { isOwnPage: true, isMainFrame: true, testCallActive: true };
  it.each([
    [
      'the microphone outside a test call',
      { ...call, permission: 'media', mediaTypes: ['audio'], testCallActive: false },
    ],
    [
      'the microphone to another page',
      { ...call, permission: 'media', mediaTypes: ['audio'], isOwnPage: false },
    ],
    [
      'the microphone to an iframe',
      { ...call, permission: 'media', mediaTypes: ['audio'], isMainFrame: false },
    ],
    ['the camera during a test call', { ...call, permission: 'media', mediaTypes: ['video'] }],
    ['camera and microphone together', { ...call, permission: 'media', mediaTypes: ['audio', 'video'] }],
    ['media of unknown kind', { ...call, permission: 'media', mediaTypes: ['unknown'] }],
    ['media naming no kind', { ...call, permission: 'media' }],
    ['geolocation', { ...call, permission: 'geolocation' }],
    ['web notifications', { ...call, permission: 'notifications' }],
    ['MIDI', { ...call, permission: 'midi' }],
    ['reading the clipboard', { ...call, permission: 'clipboard-read' }],
    ['screen capture', { ...call, permission: 'display-capture' }],
    ['opening external apps', { ...call, permission: 'openExternal' }],
  ])('refuses %s', (_what, q) => {
    expect(decidePermission(q)).toBe(false);
  });
});

describe('the test-call microphone gate', () => {
  it('is open from a test call channel opening until it closes, and counts overlapping calls', () => {
    const gate = new TestCallMicGate();
    expect(gate.active).toBe(false);
    const first = gate.acquire();
    expect(gate.active).toBe(true);
    const second = gate.acquire();
    first();
    first(); // a second release of the same call changes nothing
    expect(gate.active).toBe(true);
    second();
    expect(gate.active).toBe(false);
    second();
    expect(gate.active).toBe(false);
    const third = gate.acquire();
    expect(gate.active).toBe(true);
    third();
    expect(gate.active).toBe(false);
  });

  it('drives the decision: granted while open, refused once closed', () => {
    const gate = new TestCallMicGate();
    const ask = () =>
      decidePermission({
        permission: 'media',
        mediaTypes: ['audio'],
        isOwnPage: true,
        isMainFrame: true,
        testCallActive: gate.active,
      });
    expect(ask()).toBe(false);
    const release = gate.acquire();
    expect(ask()).toBe(true);
    release();
    expect(ask()).toBe(false);
  });
});
