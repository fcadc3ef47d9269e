import { type ActivityCounts, addCounts } from '../core/activity/metrics';
import type { Store } from '../core/shared/store';

/** The activity counters in memory: one per window (no shards: nothing to spread here). */
export const createMemoryActivity = (): Pick<Store, 'addActivity' | 'readActivity'> => {
  const counters = new Map<string, ActivityCounts>();
  return {
    async addActivity(windows, counts) {
      for (const { granularity, start } of windows) {
        const key = `${granularity}#${start}`;
        counters.set(key, addCounts({ ...counters.get(key) }, counts));
      }
    },
    async readActivity(granularity, first, last) {
      const found = new Map<string, ActivityCounts>();
      for (const [key, counts] of counters) {
        const [kind, start = ''] = key.split('#');
        if (kind === granularity && start >= first && start <= last)
          found.set(start, { ...counts });
      }
      return found;
    },
  };
};
