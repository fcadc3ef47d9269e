import { describe, expect, it } from 'vitest';
import type { Revocation } from '../../../src/core/shared/store';
import { createRevocationView } from '../../../src/http/revocation-view';

const START = Date.UTC(2026, 0, 1);
const WINDOW = 10_000;
const LOOKBACK = 1_200_000;

/** A feed in memory with a fake clock; `reads` records each read's `since`. */
const setUp = () => {
  let now = START;
  const feed: Revocation[] = [];
  const reads: number[] = [];
  let failing = false;
  let gate: Promise<void> | null = null;
  const view = createRevocationView({
    now: () => now,
    windowMs: WINDOW,
    lookbackMs: LOOKBACK,
    overlapMs: 60_000,
    graceMs: 5_000,
    retryMs: 1_000,
    read: async (since) => {
      reads.push(since);
      if (gate) await gate;
      if (failing) throw new Error('feed down');
      return feed.filter((entry) => entry.at >= since);
    },
  });
  return {
    view,
    feed,
    reads,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    fail: (value: boolean) => {
      failing = value;
    },
    hold: () => {
      let open = () => {};
      gate = new Promise((resolve) => {
        open = resolve;
      });
      return () => {
        gate = null;
        open();
      };
    },
  };
};

describe('the revocation view', () => {
  it('reads back the lookback at a cold start, then answers synchronously within the window', async () => {
    const { view, feed, reads, now } = setUp();
    feed.push({ sid: 'old', at: START - 600_000 });
    expect(await view.standing('old', now())).toBe('ended');
    expect(reads).toEqual([START - LOOKBACK]);
    expect(view.standing('other', now())).toBe('live');
    expect(reads).toHaveLength(1);
  });

  it('learns a revocation at the next window, reading from the last read minus the overlap', async () => {
    const { view, feed, reads, advance, now } = setUp();
    await view.standing('s1', now());
    feed.push({ sid: 's1', at: now() + 1 });
    advance(WINDOW - 1);
    expect(view.standing('s1', START)).toBe('live');
    advance(1);
    expect(await view.standing('s1', START)).toBe('ended');
    expect(reads).toEqual([START - LOOKBACK, START - 60_000]);
  });

  it('finds an entry committed late with an earlier time (inside the overlap)', async () => {
    const { view, feed, advance, now } = setUp();
    await view.standing('s1', now());
    advance(WINDOW);
    await view.standing('x', now());
    // Written with a time before the last read started, committed after it.
    feed.push({ sid: 's1', at: now() - 30_000 });
    advance(WINDOW);
    expect(await view.standing('s1', START)).toBe('ended');
  });

  it('reads once per window however many requests wait', async () => {
    const { view, reads, advance, now, hold } = setUp();
    await view.standing('a', now());
    advance(WINDOW);
    const release = hold();
    const waiting = Array.from({ length: 50 }, (_, i) => view.standing(`s${i}`, now()));
    expect(waiting.every((answer) => answer instanceof Promise)).toBe(true);
    release();
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['live']));
    expect(reads).toHaveLength(2);
  });

  it("calls a token older than its coverage 'unknown' (its session must be read)", async () => {
    const { view } = setUp();
    expect(await view.standing('s1', START - LOOKBACK + 60_000)).toBe('live');
    expect(view.standing('s1', START - LOOKBACK + 59_999)).toBe('unknown');
  });

  it('prunes entries past the lookback and moves its coverage with them', async () => {
    const { view, feed, advance, now } = setUp();
    feed.push({ sid: 'gone', at: START - 1000 });
    expect(await view.standing('gone', now())).toBe('ended');
    advance(LOOKBACK);
    // The entry aged out, and so did every token that could name it: 'unknown', never 'live'.
    expect(await view.standing('gone', START)).toBe('unknown');
    expect(view.standing('gone', now() - LOOKBACK + 60_000)).toBe('live');
  });

  it('begins the next read a grace early; after it fails, answers only while the last good read is younger than the window', async () => {
    const { view, feed, reads, advance, now, fail } = setUp();
    await view.standing('s1', now());
    fail(true);
    feed.push({ sid: 's1', at: now() });
    advance(WINDOW - 5_000);
    // Still answered from the good read, while the next one starts in the background and fails.
    expect(view.standing('s1', START)).toBe('live');
    await Promise.resolve();
    expect(reads).toHaveLength(2);
    advance(4_999);
    expect(view.standing('s1', START)).toBe('live');
    advance(1);
    // The good read started a window ago: never answered from it again.
    await expect(view.standing('s1', START)).rejects.toMatchObject({ code: 'unavailable' });
    fail(false);
    advance(1_000);
    expect(await view.standing('s1', START)).toBe('ended');
  });

  it('counts a read past its deadline as failed and ignores its late answer', async () => {
    let now = START;
    let hang = false;
    const view = createRevocationView({
      now: () => now,
      windowMs: WINDOW,
      lookbackMs: LOOKBACK,
      readDeadlineMs: 20,
      read: (since) =>
        hang ? new Promise(() => {}) : Promise.resolve([{ sid: 'old', at: since + 1 }]),
    });
    expect(await view.standing('s1', now)).toBe('live');
    hang = true;
    now += WINDOW;
    await expect(view.standing('s1', START)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('keeps at most maxEntries ended sessions, narrowing its coverage past the oldest dropped', async () => {
    const feed = Array.from({ length: 10 }, (_, i) => ({ sid: `s${i}`, at: START - 1_000 + i }));
    const view = createRevocationView({
      now: () => START,
      windowMs: WINDOW,
      lookbackMs: LOOKBACK,
      overlapMs: 0,
      maxEntries: 4,
      read: async () => feed,
    });
    expect(await view.standing('s9', START)).toBe('ended');
    expect(view.standing('s6', START)).toBe('ended');
    // s5 was dropped: a token that could name it is 'unknown' (its session is read), never 'live'.
    expect(view.standing('s5', START - 1_000 + 5)).toBe('unknown');
    expect(view.standing('s5', START - 1_000 + 6)).toBe('live');
  });

  it('narrows its coverage to what a read cut short by its page limit covers', async () => {
    const view = createRevocationView({
      now: () => START,
      windowMs: WINDOW,
      lookbackMs: LOOKBACK,
      overlapMs: 0,
      read: async () => ({ entries: [{ sid: 'new', at: START - 10 }], coveredFrom: START - 10 }),
    });
    expect(await view.standing('new', START)).toBe('ended');
    expect(view.standing('x', START - 11)).toBe('unknown');
    expect(view.standing('x', START - 10)).toBe('live');
  });

  it('refuses a session ended just after a good read at every later probe past the window though reads fail (red team 17)', async () => {
    let now = START;
    let failing = false;
    const feed: Revocation[] = [];
    const view = createRevocationView({
      now: () => now,
      windowMs: WINDOW,
      lookbackMs: LOOKBACK,
      read: async (since) => {
        if (failing) throw new Error('DynamoDB throttled / 500');
        return feed.filter((entry) => entry.at >= since);
      },
    });
    const iat = START - 5_000;
    expect(await view.standing('victim', iat)).toBe('live');
    now = START + 1_000;
    feed.push({ sid: 'victim', at: now });
    failing = true;
    const revokedAt = now;
    for (const t of [9_000, 11_500, 12_500, 13_500, 14_500]) {
      now = revokedAt + t;
      const seen = await Promise.resolve()
        .then(() => view.standing('victim', iat))
        .catch((error: { code?: string }) => error.code);
      expect(seen).toBe('unavailable');
    }
  });

  it('fails closed when the first read fails', async () => {
    const { view, now, fail } = setUp();
    fail(true);
    await expect(view.standing('s1', now())).rejects.toMatchObject({ code: 'unavailable' });
  });
});
