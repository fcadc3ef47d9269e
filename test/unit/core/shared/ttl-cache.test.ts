import { describe, expect, it } from 'vitest';
import { createTtlCache } from '../../../../src/core/shared/ttl-cache';

const cacheAt = (clock: { now: number }, maxSize = 10) =>
  createTtlCache<string, boolean | null>({ ttlMs: 1000, maxSize, now: () => clock.now });

describe('ttl cache', () => {
  it('answers a stored value, false and null included, until the ttl has passed', () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    cache.set('no', false);
    cache.set('none', null);
    expect(cache.get('no')).toBe(false);
    expect(cache.get('none')).toBeNull();
    expect(cache.get('unknown')).toBeUndefined();
    clock.now = 999;
    expect(cache.get('no')).toBe(false);
  });

  it('forgets an entry exactly ttl after it was stored', () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    cache.set('a', true);
    clock.now = 1000;
    expect(cache.get('a')).toBeUndefined();
    // Gone for good: moving the clock back does not revive it.
    clock.now = 0;
    expect(cache.get('a')).toBeUndefined();
  });

  it('a second set restarts the entry’s ttl', () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    cache.set('a', true);
    clock.now = 800;
    cache.set('a', false);
    clock.now = 1500;
    expect(cache.get('a')).toBe(false);
  });

  it('never holds more than maxSize entries: a new key on a full cache empties it', () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock, 2);
    cache.set('a', true);
    cache.set('b', true);
    // Replacing a key already held is no growth.
    cache.set('b', false);
    expect(cache.get('a')).toBe(true);
    cache.set('c', true);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe(true);
  });
});
