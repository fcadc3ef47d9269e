import { unavailable } from '../core/shared/errors';
import type { Revocation } from '../core/shared/store';

/** A read cut short by its page limit: only entries at or after `coveredFrom` are all there. */
export interface TruncatedFeedRead {
  entries: Revocation[];
  coveredFrom: number;
}

export interface RevocationViewOptions {
  /** Every session ended at or after `since` (the feed: one Query per shard on DynamoDB). */
  read: (since: number) => Promise<Revocation[] | TruncatedFeedRead>;
  now: () => number;
  /** REVOCATION_CACHE_SECONDS in ms: no answer comes from a read that started this long ago. */
  windowMs: number;
  /**
   * How far back the first read looks and how long entries are kept: at least the longest
   * access token's lifetime plus clock skew. Tokens issued before the view's coverage are
   * 'unknown' (the caller reads their session), so a short lookback costs reads, never safety.
   */
  lookbackMs: number;
  /** Each read starts this long before the last one: writers' clock skew, in-flight writes. */
  overlapMs?: number;
  /** The next read starts this long before the window ends, so a failed one can be retried. */
  graceMs?: number;
  /** After a failed read, how soon another may be tried. */
  retryMs?: number;
  /** A read (all shards, all pages) not done by then counts as failed. */
  readDeadlineMs?: number;
  /** At most this many ended sessions are kept; past it coverage narrows (more session reads). */
  maxEntries?: number;
}

/** 'unknown': the token is older than what the view covers; its session must be read. */
export type SessionStanding = 'ended' | 'live' | 'unknown';

/** The read, or a rejection once `ms` have passed (its late answer is then ignored). */
const withDeadline = <T>(read: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`feed read over ${ms} ms`)), ms);
    read.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

/**
 * The authorizer's memory of ended sessions, learnt from the revocation feed: one read per
 * window per instance (single-flight, however many requests wait on it), merged into a map of
 * sid -> end time pruned past the lookback and capped at `maxEntries`. Within the window a
 * token is decided synchronously, with no read. Invariant: every answer comes from a read that
 * started less than the window before it (or after the request arrived), so a session ended at
 * t is 'ended' to every request from t + window (+ the write's own latency) on, or the request
 * fails closed with `unavailable`.
 */
export const createRevocationView = (options: RevocationViewOptions) => {
  const overlapMs = options.overlapMs ?? 60_000;
  // Never more than half the window: the steady read rate stays under two per window.
  const graceMs = Math.min(options.graceMs ?? 3_000, options.windowMs / 2);
  const retryMs = options.retryMs ?? 1_000;
  const readDeadlineMs = options.readDeadlineMs ?? 2_000;
  const maxEntries = options.maxEntries ?? 200_000;
  const ended = new Map<string, number>();
  /** Every session ended at or after this time is in `ended` (as of the last good read). */
  let coveredFrom = Number.POSITIVE_INFINITY;
  let lastGoodStart: number | null = null;
  let failedAt: number | null = null;
  let reading: Promise<void> | null = null;

  const narrowTo = (from: number) => {
    if (coveredFrom >= from) return;
    coveredFrom = from;
    for (const [sid, endedAt] of ended) if (endedAt < from) ended.delete(sid);
  };

  /** Over the cap: the oldest entries go and coverage starts just after the newest of them. */
  const cap = () => {
    if (ended.size <= maxEntries) return;
    const times = [...ended.values()].sort((a, b) => a - b);
    narrowTo((times[ended.size - maxEntries - 1] as number) + 1);
  };

  const merge = (result: Revocation[] | TruncatedFeedRead, since: number, first: boolean) => {
    const entries = Array.isArray(result) ? result : result.entries;
    for (const { sid, at } of entries) if (!ended.has(sid)) ended.set(sid, at);
    if (first) coveredFrom = since;
    if (!Array.isArray(result)) narrowTo(result.coveredFrom);
    cap();
  };

  /** One read at a time: concurrent callers share it. */
  const refresh = (): Promise<void> => {
    if (reading) return reading;
    const start = options.now();
    const first = lastGoodStart === null;
    const since = first ? start - options.lookbackMs : (lastGoodStart as number) - overlapMs;
    reading = withDeadline(options.read(since), readDeadlineMs)
      .then(
        (result) => {
          merge(result, since, first);
          lastGoodStart = start;
          failedAt = null;
          narrowTo(start - options.lookbackMs);
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

  /** How old the last good read's start is; infinite before the first. */
  const age = (now: number) =>
    lastGoodStart === null ? Number.POSITIVE_INFINITY : now - lastGoodStart;

  /** Invariant: an answer only from a read younger than the window, or begun after `arrived`. */
  const freshAnswer = (sid: string, issuedAtMs: number, arrived: number): SessionStanding => {
    if (age(options.now()) < options.windowMs || (lastGoodStart as number) >= arrived) {
      return answer(sid, issuedAtMs);
    }
    throw unavailable('The revocation feed');
  };

  const mayRead = (now: number) => !reading && (failedAt === null || now - failedAt >= retryMs);

  return {
    /** Synchronous within the window; otherwise after this window's one read. */
    standing(sid: string, issuedAtMs: number): SessionStanding | Promise<SessionStanding> {
      const now = options.now();
      const readAge = age(now);
      if (readAge < options.windowMs) {
        // The next read begins `grace` early, in the background: a failure can still be retried.
        if (readAge >= options.windowMs - graceMs && mayRead(now)) refresh().catch(() => {});
        return answer(sid, issuedAtMs);
      }
      if (!mayRead(now) && !reading) throw unavailable('The revocation feed');
      return refresh().then(
        () => freshAnswer(sid, issuedAtMs, now),
        () => freshAnswer(sid, issuedAtMs, now),
      );
    },
  };
};
