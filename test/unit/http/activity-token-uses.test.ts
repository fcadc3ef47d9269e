import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActivityCounts, ActivityWindow } from '../../../src/core/activity/metrics';
import { createTokenUseCounter } from '../../../src/http/token-use-counter';

const T0 = Date.UTC(2026, 2, 1, 10, 59, 58);

const setUp = (
  write?: (windows: readonly ActivityWindow[], counts: ActivityCounts) => Promise<void>,
) => {
  const writes: { windows: string[]; counts: ActivityCounts }[] = [];
  const lost: number[] = [];
  const counter = createTokenUseCounter({
    write:
      write ??
      (async (windows, counts) => {
        writes.push({ windows: windows.map((w) => w.start), counts });
      }),
    intervalMs: 5_000,
    now: () => Date.now(),
    onLost: (_, uses) => lost.push(uses),
  });
  return { counter, writes, lost };
};

describe('API token uses, counted in memory', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('writes nothing per use, then one add per window once the interval has passed', async () => {
    const { counter, writes } = setUp();
    for (let i = 0; i < 100; i++) counter.note(Date.now());
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(writes).toEqual([
      { windows: ['2026-03-01T10', '2026-03-01'], counts: { token_uses: 100 } },
    ]);
    // Nothing more to write: no empty flush.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(writes).toHaveLength(1);
  });

  it('counts uses on each side of an hour in their own hour', async () => {
    const { counter, writes } = setUp();
    counter.note(Date.now());
    vi.setSystemTime(T0 + 3_000);
    counter.note(Date.now());
    counter.note(Date.now());
    await vi.advanceTimersByTimeAsync(5_000);
    expect(writes).toEqual([
      { windows: ['2026-03-01T10', '2026-03-01'], counts: { token_uses: 1 } },
      { windows: ['2026-03-01T11', '2026-03-01'], counts: { token_uses: 2 } },
    ]);
  });

  it('flushes at most once per interval under steady traffic', async () => {
    vi.setSystemTime(T0 + 10_000); // within one hour: one write per flush
    const { counter, writes } = setUp();
    for (let second = 0; second < 30; second++) {
      counter.note(Date.now());
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(writes.length).toBeLessThanOrEqual(6);
    expect(writes.reduce((sum, w) => sum + (w.counts.token_uses ?? 0), 0)).toBe(30);
  });

  it('never throws to the caller: a failed flush is reported as lost uses', async () => {
    const { counter, lost } = setUp(async () => {
      throw new Error('table down');
    });
    counter.note(Date.now());
    counter.note(Date.now());
    await vi.advanceTimersByTimeAsync(5_000);
    expect(lost).toEqual([2]);
  });
});
