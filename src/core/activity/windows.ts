import type { ActivityGranularity, ActivityWindow } from './metrics';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Hourly counters outlive the 24 h chart by a day; daily ones the 30-day chart by two. */
const KEEP_MS: Record<ActivityGranularity, number> = { hour: 2 * DAY_MS, day: 32 * DAY_MS };
const SPAN_MS: Record<ActivityGranularity, number> = { hour: HOUR_MS, day: DAY_MS };
/** ISO prefixes: `2026-12-07T03` and `2026-12-07`, so keys sort as time does. */
const KEY_LENGTH: Record<ActivityGranularity, number> = { hour: 13, day: 10 };

/** The UTC window of `granularity` holding `at`. */
export const windowStart = (granularity: ActivityGranularity, at: number): string =>
  new Date(at).toISOString().slice(0, KEY_LENGTH[granularity]);

/** The window key's start as epoch ms. */
export const windowStartMs = (granularity: ActivityGranularity, start: string): number =>
  Date.parse(granularity === 'hour' ? `${start}:00:00.000Z` : `${start}T00:00:00.000Z`);

/** The hour and the day an event at `at` counts in, each with its expiry. */
export const windowsOf = (at: number): ActivityWindow[] =>
  (['hour', 'day'] as const).map((granularity) => {
    const start = windowStart(granularity, at);
    const end = windowStartMs(granularity, start) + SPAN_MS[granularity];
    return { granularity, start, expiresAt: end + KEEP_MS[granularity] };
  });

/** The last `count` windows of `granularity` up to the one holding `now`, oldest first. */
export const recentWindows = (
  granularity: ActivityGranularity,
  now: number,
  count: number,
): string[] => {
  const last = windowStartMs(granularity, windowStart(granularity, now));
  return Array.from({ length: count }, (_, i) =>
    windowStart(granularity, last - (count - 1 - i) * SPAN_MS[granularity]),
  );
};
