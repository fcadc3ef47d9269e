import type { CoreDeps } from '../shared/deps';
import type { Position } from '../shared/store';

export interface HintBackfillSummary {
  /** Users whose login items now carry their hash's hint. */
  refreshed: number;
  /** Users changed while the backfill ran (their write wrote the hint itself). */
  changedMeanwhile: number;
}

/**
 * Gives every user's login items the hint of the user's password hash (items written before
 * hints have none: their sign-in costs a dummy bcrypt more). Idempotent; each user in one
 * transaction conditioned on the hash read (Store.refreshLoginHints), so a password changed
 * meanwhile is never overwritten by a stale hint; the user item itself is never written.
 */
export const backfillLoginHints = async (
  deps: CoreDeps,
  onPage: (summary: HintBackfillSummary) => void = () => {},
): Promise<HintBackfillSummary> => {
  const summary: HintBackfillSummary = { refreshed: 0, changedMeanwhile: 0 };
  let after: Position | undefined;
  do {
    const page = await deps.store.listUsers({ limit: 100, ...(after ? { after } : {}) });
    for (const user of page.items) {
      if (await deps.store.refreshLoginHints(user)) summary.refreshed += 1;
      else summary.changedMeanwhile += 1;
    }
    onPage(summary);
    after = page.next ?? undefined;
  } while (after);
  return summary;
};
