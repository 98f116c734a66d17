/** Modules offer services by typed key; the shell and tests look them up without a module's name. */
import { describe, expect, it } from 'vitest';
import { provide, serviceKey, ServiceRegistry } from '../../src-main/core/registry';

describe('ServiceRegistry', () => {
  const COUNTER = serviceKey<{ n: number }>('test.counter');
  const OTHER = serviceKey<string>('test.other');

  it('finds a provided service by its key and names a missing one', () => {
    const counter = { n: 1 };
    const r = new ServiceRegistry([provide(COUNTER, counter)]);
    expect(r.require(COUNTER)).toBe(counter);
    expect(r.get(OTHER)).toBeUndefined();
    expect(() => r.require(OTHER)).toThrow('no module provides test.other');
  });

  it('refuses a key provided twice', () => {
    expect(() => new ServiceRegistry([provide(OTHER, 'a'), provide(OTHER, 'b')])).toThrow('provided twice');
  });
});
