import type { CoreDeps } from '../shared/deps';
import {
  ACTIVITY_METRICS,
  type ActivityCounts,
  type ActivityGranularity,
  addCounts,
} from './metrics';
import { recentWindows } from './windows';

export const DASHBOARD_HOURS = 24;
export const DASHBOARD_DAYS = 30;

export interface ActivitySeries {
  granularity: ActivityGranularity;
  /** Oldest first; every window present, zeros included. */
  windows: { start: string; counts: ActivityCounts }[];
}

export interface ActivityDashboard {
  hours: ActivitySeries;
  days: ActivitySeries;
  /** The sum of the hourly series: the last 24 hourly windows, the current one so far. */
  last24h: Required<ActivityCounts>;
}

const series = async (
  deps: CoreDeps,
  granularity: ActivityGranularity,
  count: number,
): Promise<ActivitySeries> => {
  const starts = recentWindows(granularity, deps.clock.now(), count);
  const found = await deps.store.readActivity(granularity, starts[0] ?? '', starts.at(-1) ?? '');
  return {
    granularity,
    windows: starts.map((start) => ({ start, counts: found.get(start) ?? {} })),
  };
};

/**
 * The dashboard's numbers: a bounded read (one Query per counter shard and granularity),
 * whatever the number of users or events.
 */
export const activityDashboard = async (deps: CoreDeps): Promise<ActivityDashboard> => {
  const [hours, days] = await Promise.all([
    series(deps, 'hour', DASHBOARD_HOURS),
    series(deps, 'day', DASHBOARD_DAYS),
  ]);
  const total = hours.windows.reduce<ActivityCounts>((sum, w) => addCounts(sum, w.counts), {});
  const last24h = Object.fromEntries(
    ACTIVITY_METRICS.map((metric) => [metric, total[metric] ?? 0]),
  ) as Required<ActivityCounts>;
  return { hours, days, last24h };
};
