import type { CoreDeps } from './deps';
import { GatehouseError } from './errors';
import { sha256 } from './ids';

/** A limit: at most `limit` hits per key in each fixed window of `windowSeconds`; 0 is off. */
export interface RateLimit {
  /** What is counted, e.g. `ip:203.0.113.9` or `email:ann@example.com`. */
  key: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Counts one hit on every limit and refuses (429, `Retry-After` = the rest of the window)
 * when any is over. Keys are hashed: no address or IP sits in the counter's key.
 */
export const enforceRateLimits = async (deps: CoreDeps, limits: RateLimit[]): Promise<void> => {
  const now = deps.clock.now();
  const over = await Promise.all(
    limits
      .filter((limit) => limit.limit > 0)
      .map(async ({ key, limit, windowSeconds }) => {
        const windowMs = windowSeconds * 1000;
        const windowStart = Math.floor(now / windowMs) * windowMs;
        const count = await deps.store.countHit(
          `${sha256(key).slice(0, 32)}:${windowStart}`,
          windowStart + windowMs,
        );
        return count > limit ? Math.ceil((windowStart + windowMs - now) / 1000) : 0;
      }),
  );
  const wait = Math.max(0, ...over);
  if (wait > 0) {
    throw new GatehouseError(
      'too_many_attempts',
      `Too many requests. Try again in ${wait} seconds.`,
      wait,
    );
  }
};

/** The account routes' limits: per client IP per minute, per address per hour. */
export const accountRateLimits = (
  deps: CoreDeps,
  ip: string | null,
  email: string | null,
): RateLimit[] => [
  ...(ip
    ? [{ key: `ip:${ip}`, limit: deps.config.account.rateLimitPerIp, windowSeconds: 60 }]
    : []),
  ...(email
    ? [{ key: `email:${email}`, limit: deps.config.account.rateLimitPerEmail, windowSeconds: 3600 }]
    : []),
];
