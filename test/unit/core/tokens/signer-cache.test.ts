import { describe, expect, it, vi } from 'vitest';
import { createSignerCache } from '../../../../src/core/tokens/signer-cache';
import {
  newSigningKeySet,
  rotateSigningKeySet,
  type SigningKeySet,
} from '../../../../src/core/tokens/signing-keys';

// RSA key generation takes seconds on a loaded machine: a time limit for that, not a hang.
vi.setConfig({ testTimeout: 30_000 });

const T0 = Date.UTC(2026, 0, 1);
const timing = { leadSeconds: 3600, retainSeconds: 90_000 };

const cacheOver = (stored: { set: SigningKeySet; fail?: boolean }, clock: { now: number }) => {
  let loads = 0;
  const cache = createSignerCache({
    now: () => clock.now,
    load: async () => {
      loads++;
      if (stored.fail) throw new Error('down');
      return stored.set;
    },
  });
  return { cache, loads: () => loads };
};

describe('signer cache', () => {
  it('a warm signer switches to a staged key at its activation, without a cold start', async () => {
    const clock = { now: T0 };
    const stored = { set: newSigningKeySet(T0) };
    const { cache, loads } = cacheOver(stored, clock);
    const before = (await cache.signer('ES256')).kid;
    stored.set = rotateSigningKeySet(stored.set, clock.now, timing);
    const next = stored.set.keys[0]?.kid;
    clock.now += 301_000;
    expect((await cache.signer('ES256')).kid).toBe(before);
    expect(loads()).toBe(2);
    clock.now = T0 + 3_600_000;
    expect((await cache.signer('ES256')).kid).toBe(next);
    expect(loads()).toBe(3);
  });

  it('imports each key once and shares one read between concurrent signatures', async () => {
    const clock = { now: T0 };
    const { cache, loads } = cacheOver({ set: newSigningKeySet(T0) }, clock);
    const [a, b] = await Promise.all([cache.signer('RS256'), cache.signer('RS256')]);
    expect(a).toBe(b);
    expect(loads()).toBe(1);
  });

  it('keeps signing through a failed re-read for up to the lead, then refuses', async () => {
    const clock = { now: T0 };
    const stored = { set: newSigningKeySet(T0), fail: false };
    const { cache } = cacheOver(stored, clock);
    const kid = (await cache.signer('ES256')).kid;
    stored.fail = true;
    clock.now += 3_000_000;
    expect((await cache.signer('ES256')).kid).toBe(kid);
    clock.now = T0 + 3_600_001;
    await expect(cache.signer('ES256')).rejects.toThrow('down');
  });
});
