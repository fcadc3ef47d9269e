import type { ActivityCounts, ActivityWindow } from '../core/activity/metrics';
import { windowsOf } from '../core/activity/windows';
import { reportQuietly } from '../core/shared/report-quietly';

const HOUR_MS = 3_600_000;

export interface TokenUseCounterOptions {
  /** Adds the counts to the windows' counters (activity-counter-writer.ts). */
  write: (windows: readonly ActivityWindow[], counts: ActivityCounts) => Promise<void>;
  /** At most one flush per this many ms per instance (TOKEN_USE_FLUSH_SECONDS). */
  intervalMs: number;
  now: () => number;
  /** A flush failed: these uses are lost (logged), the requests stood. */
  onLost: (error: unknown, uses: number) => void;
}

/**
 * API token uses, counted in memory per instance and added to the activity counters at most
 * once per interval: no write per request, and never awaited by one. What a frozen or killed
 * instance had not flushed yet is lost (at most one interval of its uses); a frozen one flushes
 * when it thaws.
 */
export const createTokenUseCounter = (options: TokenUseCounterOptions) => {
  /** Uses by UTC hour (epoch hours): a flush across an hour's end counts each in its own. */
  let pending = new Map<number, number>();
  let lastFlushAt = options.now();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    lastFlushAt = options.now();
    const batch = pending;
    pending = new Map();
    return Promise.all(
      [...batch].map(([hour, uses]) =>
        options
          .write(windowsOf(hour * HOUR_MS), { token_uses: uses })
          // Nothing awaits a flush started by a use.
          .catch((error: unknown) => reportQuietly(() => options.onLost(error, uses))),
      ),
    ).then(() => {});
  };

  return {
    /** One allowed use: a counter bump, and a flush started (not awaited) once one is due. */
    note(at: number): void {
      const hour = Math.floor(at / HOUR_MS);
      pending.set(hour, (pending.get(hour) ?? 0) + 1);
      const wait = lastFlushAt + options.intervalMs - at;
      if (wait <= 0) {
        void flush();
      } else if (!timer) {
        // Uses that stop coming are still written; unref: never keeps a process alive.
        timer = setTimeout(() => void flush(), wait);
        timer.unref?.();
      }
    },
    flush,
  };
};

export type TokenUseCounter = ReturnType<typeof createTokenUseCounter>;
