import { describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../../../src/core/shared/deps';
import { accountRateLimits, enforceRateLimits } from '../../../../src/core/shared/rate-limits';
import { testDeps } from '../../../support/core-deps';

const outcome = (promise: Promise<void>) =>
  promise.then(
    () => 'allowed',
    (error: { code: string; retryAfterSeconds?: number }) =>
      `${error.code} ${error.retryAfterSeconds}`,
  );

describe('rate limits', () => {
  it('allows `limit` hits per window, then refuses with the rest of the window to wait', async () => {
    const deps = testDeps();
    // The fake clock starts on a minute boundary: 20 s into the window.
    deps.clock.advance(20);
    const perMinute = [{ key: 'ip:203.0.113.9', limit: 3, windowSeconds: 60 }];
    for (let i = 0; i < 3; i++)
      expect(await outcome(enforceRateLimits(deps, perMinute))).toBe('allowed');
    expect(await outcome(enforceRateLimits(deps, perMinute))).toBe('too_many_attempts 40');
    // A new window starts afresh.
    deps.clock.advance(40);
    expect(await outcome(enforceRateLimits(deps, perMinute))).toBe('allowed');
  });

  it('counts every limit and waits for the longest one over', async () => {
    const deps = testDeps();
    const limits = [
      { key: 'ip:1', limit: 1, windowSeconds: 60 },
      { key: 'email:ann@example.com', limit: 1, windowSeconds: 3600 },
    ];
    expect(await outcome(enforceRateLimits(deps, limits))).toBe('allowed');
    expect(await outcome(enforceRateLimits(deps, limits))).toBe('too_many_attempts 3600');
    // Another IP still meets the same address's hourly limit.
    const otherIp = [
      { key: 'ip:2', limit: 1, windowSeconds: 60 },
      { key: 'email:ann@example.com', limit: 1, windowSeconds: 3600 },
    ];
    expect(await outcome(enforceRateLimits(deps, otherIp))).toBe('too_many_attempts 3600');
  });

  it('a limit of 0 is off and counts nothing', async () => {
    const deps = testDeps();
    const keys: string[] = [];
    const store = {
      ...deps.store,
      countHit: async (key: string) => {
        keys.push(key);
        return 1;
      },
    };
    const off = [{ key: 'ip:1', limit: 0, windowSeconds: 60 }];
    for (let i = 0; i < 5; i++) await enforceRateLimits({ ...deps, store }, off);
    expect(keys).toEqual([]);
  });

  it('keeps no address or IP in the counter key', async () => {
    const deps = testDeps();
    const keys: string[] = [];
    const store = {
      ...deps.store,
      countHit: async (key: string) => {
        keys.push(key);
        return 1;
      },
    };
    await enforceRateLimits({ ...deps, store }, [
      { key: 'email:ann@example.com', limit: 5, windowSeconds: 60 },
      { key: 'ip:203.0.113.9', limit: 5, windowSeconds: 60 },
    ]);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).not.toMatch(/ann|example|203\.0/);
      expect(key).toMatch(/^[A-Za-z0-9_-]{32}:\d+$/);
    }
  });

  it('the account routes limit per IP per minute and per address per hour, each when known', () => {
    const deps: CoreDeps = testDeps({ RATE_LIMIT_PER_IP: '7', RATE_LIMIT_PER_EMAIL: '3' });
    expect(accountRateLimits(deps, '203.0.113.9', 'ann@example.com')).toEqual([
      { key: 'ip:203.0.113.9', limit: 7, windowSeconds: 60 },
      { key: 'email:ann@example.com', limit: 3, windowSeconds: 3600 },
    ]);
    expect(accountRateLimits(deps, null, null)).toEqual([]);
  });
});
