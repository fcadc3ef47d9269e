import type { CoreDeps } from '../shared/deps';
import { reportQuietly } from '../shared/report-quietly';
import { type ActivityCounts, nonZero } from './metrics';
import { windowsOf } from './windows';

/**
 * Starts adding `counts` to the current hour's and day's counters and returns at once: no
 * request ever waits on a counter write (a throttled counter would slow every sign-in). Never
 * in a sign-in's transaction (concurrent transactions on one counter would conflict). Never
 * throws: a lost count is reported and the request it describes stands. A write still in
 * flight when the instance is frozen or killed is lost (the dashboard is approximate).
 */
export const countActivity = (deps: CoreDeps, counts: ActivityCounts): void => {
  const wanted = nonZero(counts);
  if (Object.keys(wanted).length === 0) return;
  const started = (async () => deps.store.addActivity(windowsOf(deps.clock.now()), wanted))();
  // Nothing is awaiting this promise: a reporter that throws must not leave a rejection.
  started.catch((error: unknown) => reportQuietly(() => deps.onActivityFailure(error, wanted)));
};
