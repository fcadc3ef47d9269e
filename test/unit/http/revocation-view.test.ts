import { describe, expect, it } from 'vitest';
import { isGatehouseError } from '../../../src/core/shared/errors';
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

  it('keeps serving through a failed read for the grace, then fails closed with unavailable', async () => {
    const { view, feed, reads, advance, now, fail } = setUp();
    await view.standing('s1', now());
    fail(true);
    feed.push({ sid: 's1', at: now() });
    advance(WINDOW);
    expect(await view.standing('s1', START)).toBe('live');
    // Within the retry delay: answered from the last good read, no new read.
    expect(view.standing('s1', START)).toBe('live');
    expect(reads).toHaveLength(2);
    advance(4_999);
    expect(await view.standing('s1', START)).toBe('live');
    advance(1);
    const refused = await Promise.resolve()
      .then(() => view.standing('s1', START))
      .catch((error: unknown) => error);
    expect(isGatehouseError(refused) && refused.code).toBe('unavailable');
    fail(false);
    advance(1_000);
    expect(await view.standing('s1', START)).toBe('ended');
  });

  it('fails closed when the first read fails', async () => {
    const { view, now, fail } = setUp();
    fail(true);
    await expect(view.standing('s1', now())).rejects.toMatchObject({ code: 'unavailable' });
  });
});
