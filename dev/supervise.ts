/** A helper the local stack runs beside the service (DynamoDB Local, the SES emulator). */
export interface Running {
  /** Settles with what happened when it stops without being asked to (never when asked). */
  died: Promise<string>;
  stop(): Promise<void>;
}

export interface SupervisionPolicy {
  /** At most this many restarts within `windowMs`; one more death gives up. */
  maxRestarts: number;
  windowMs: number;
}

/** Three deaths in ten minutes is a broken helper, not a hiccup: stop and say so. */
export const defaultSupervision: SupervisionPolicy = { maxRestarts: 3, windowMs: 10 * 60_000 };

/**
 * Keeps `start`'s helper running: when it dies unasked, says so and starts it again (same
 * settings, so same port and data), at most `maxRestarts` times per window; past that, or when
 * a restart fails past the bound, calls `giveUp` with the reason and starts nothing more.
 */
export const supervise = (
  name: string,
  first: Running,
  start: () => Promise<Running>,
  options: {
    say: (line: string) => void;
    giveUp: (reason: string) => void;
    policy?: SupervisionPolicy;
    now?: () => number;
  },
): { stop(): Promise<void> } => {
  const { maxRestarts, windowMs } = options.policy ?? defaultSupervision;
  const now = options.now ?? Date.now;
  let current: Running | null = first;
  let stopping = false;
  const restarts: number[] = [];

  const watch = (running: Running) => {
    running.died.then((what) => {
      if (stopping || running !== current) return;
      current = null;
      void recover(`${name} ${what}`);
    });
  };

  const recover = async (reason: string): Promise<void> => {
    const at = now();
    while (restarts.length > 0 && (restarts[0] as number) <= at - windowMs) restarts.shift();
    if (restarts.length >= maxRestarts) {
      const minutes = Math.round(windowMs / 60_000);
      options.giveUp(
        `${reason}, after ${restarts.length} restarts in ${minutes} minutes: giving up.`,
      );
      return;
    }
    restarts.push(at);
    options.say(`${reason}; restarting it (${restarts.length} of ${maxRestarts})…`);
    try {
      const running = await start();
      if (stopping) {
        await running.stop();
        return;
      }
      current = running;
      watch(running);
      options.say(`${name} is back.`);
    } catch (error) {
      if (stopping) return;
      await recover(
        `${name} did not restart (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      );
    }
  };

  watch(first);
  return {
    stop: async () => {
      stopping = true;
      await current?.stop();
    },
  };
};
