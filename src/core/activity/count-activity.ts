import type { CoreDeps } from '../shared/deps';
import { type ActivityCounts, nonZero } from './metrics';
import { windowsOf } from './windows';

/**
 * Adds `counts` to the current hour's and day's counters. Never in a sign-in's transaction
 * (concurrent transactions on one counter would conflict and fail sign-ins): its own writes,
 * after the event. Never throws: a lost count is reported and the request it describes stands.
 */
export const countActivity = async (deps: CoreDeps, counts: ActivityCounts): Promise<void> => {
  const wanted = nonZero(counts);
  if (Object.keys(wanted).length === 0) return;
  try {
    await deps.store.addActivity(windowsOf(deps.clock.now()), wanted);
  } catch (error) {
    deps.onActivityFailure(error, wanted);
  }
};
