import { unavailable } from '../core/shared/errors';
import type { Revocation } from '../core/shared/store';

export interface RevocationViewOptions {
  /** Every session ended at or after `since` (the feed: one Query per shard on DynamoDB). */
  read: (since: number) => Promise<Revocation[]>;
  now: () => number;
  /** REVOCATION_CACHE_SECONDS in ms: the feed is read again once this has passed. */
  windowMs: number;
  /**
   * How far back the first read looks and how long entries are kept: at least the longest
   * access token's lifetime plus clock skew. Tokens issued before the view's coverage are
   * 'unknown' (the caller reads their session), so a short lookback costs reads, never safety.
   */
  lookbackMs: number;
  /** Each read starts this long before the last one: writers' clock skew, in-flight writes. */
  overlapMs?: number;
  /** A failed read keeps the last good one in use this long past the window, then fails closed. */
  graceMs?: number;
  /** After a failed read, how soon another may be tried (requests meanwhile use the grace). */
  retryMs?: number;
}

/** 'unknown': the token is older than what the view covers; its session must be read. */
export type SessionStanding = 'ended' | 'live' | 'unknown';

/**
 * The authorizer's memory of ended sessions, learnt from the revocation feed: one read per
 * window per instance (single-flight, however many requests wait on it), merged into a map of
 * sid -> end time pruned past the lookback. Within the window a token is decided synchronously,
 * with no read. Invariant: a session ended at t is 'ended' to every request from t + window (+ the
 * write's own latency) on, or the request fails closed with `unavailable`.
 */
export const createRevocationView = (options: RevocationViewOptions) => {
  const overlapMs = options.overlapMs ?? 60_000;
  const graceMs = options.graceMs ?? 5_000;
  const retryMs = options.retryMs ?? 1_000;
  const ended = new Map<string, number>();
  /** Every session ended at or after this time is in `ended` (as of the last good read). */
  let coveredFrom = Number.POSITIVE_INFINITY;
  let lastGoodStart: number | null = null;
  let failedAt: number | null = null;
  let reading: Promise<void> | null = null;

  const prune = (at: number) => {
    const cutoff = at - options.lookbackMs;
    if (coveredFrom >= cutoff) return;
    coveredFrom = cutoff;
    for (const [sid, endedAt] of ended) if (endedAt < cutoff) ended.delete(sid);
  };

  /** One read at a time: concurrent callers share it. */
  const refresh = (): Promise<void> => {
    if (reading) return reading;
    const start = options.now();
    const first = lastGoodStart === null;
    const since = first ? start - options.lookbackMs : (lastGoodStart as number) - overlapMs;
    reading = options
      .read(since)
      .then(
        (entries) => {
          for (const { sid, at } of entries) if (!ended.has(sid)) ended.set(sid, at);
          if (first) coveredFrom = since;
          lastGoodStart = start;
          failedAt = null;
          prune(start);
        },
        (error: unknown) => {
          failedAt = options.now();
          throw error;
        },
      )
      .finally(() => {
        reading = null;
      });
    return reading;
  };

  const answer = (sid: string, issuedAtMs: number): SessionStanding => {
    if (ended.has(sid)) return 'ended';
    // A token issued a moment after its session ended (a race) is still covered: the overlap.
    return issuedAtMs - overlapMs < coveredFrom ? 'unknown' : 'live';
  };

  /** The last good read is still usable while a failed read is retried. */
  const withinGrace = () =>
    lastGoodStart !== null && options.now() - lastGoodStart < options.windowMs + graceMs;
  const staleAnswer = (sid: string, issuedAtMs: number): SessionStanding => {
    if (withinGrace()) return answer(sid, issuedAtMs);
    throw unavailable('The revocation feed');
  };

  return {
    /** Synchronous within the window; otherwise after this window's one read. */
    standing(sid: string, issuedAtMs: number): SessionStanding | Promise<SessionStanding> {
      const now = options.now();
      if (lastGoodStart !== null && now - lastGoodStart < options.windowMs) {
        return answer(sid, issuedAtMs);
      }
      if (!reading && failedAt !== null && now - failedAt < retryMs) {
        return staleAnswer(sid, issuedAtMs);
      }
      return refresh().then(
        () => answer(sid, issuedAtMs),
        () => staleAnswer(sid, issuedAtMs),
      );
    },
  };
};
