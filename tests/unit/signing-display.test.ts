import { describe, expect, it } from 'vitest';
import { chooseSigningDisplay, signingContractId } from '../../src-main/electron/signing-display';

const d = (id: number, width: number, height: number) => ({ id, bounds: { x: 0, y: 0, width, height } });

describe('chooseSigningDisplay', () => {
  it('no displays → null', () => expect(chooseSigningDisplay([], 1)).toBeNull());
  it('one display → the owner’s', () => expect(chooseSigningDisplay([d(1, 1366, 768)], 1)?.id).toBe(1));
  it('a second display → that one', () =>
    expect(chooseSigningDisplay([d(1, 1920, 1080), d(2, 1280, 800)], 1)?.id).toBe(2));
  it('several others → the largest other', () =>
    expect(chooseSigningDisplay([d(1, 1920, 1080), d(2, 800, 600), d(3, 1280, 1024)], 1)?.id).toBe(3));
  it('owner id unknown → still some display', () =>
    expect(chooseSigningDisplay([d(5, 800, 600)], 9)?.id).toBe(5));
});

describe('signingContractId', () => {
  it('reads the contract id of the signing route', () => {
    expect(signingContractId('app://agentlocator/index.html#/sign-in-office/42')).toBe(42);
  });
  it('any other route, a query, or a malformed id → null', () => {
    for (const url of [
      'app://agentlocator/index.html#/contracts/42',
      'app://agentlocator/index.html#/sign-in-office/42?x=1',
      'app://agentlocator/index.html#/sign-in-office/0',
      'app://agentlocator/index.html#/sign-in-office/../customers',
      'app://agentlocator/index.html#/sign-in-office/',
      'not a url',
    ])
      expect(signingContractId(url)).toBeNull();
  });
});
