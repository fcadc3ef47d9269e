import type { CoreDeps } from '../../core/shared/deps';
import type { PipelineMiddleware } from './state';

export interface CoreDepsOptions {
  deps: () => CoreDeps;
  /**
   * Runs once per cold start before the dependencies are built: the settings kept in Secrets
   * Manager on AWS (loadSecretSettings), which the composition root reads.
   */
  loadSettings?: (() => Promise<void>) | undefined;
  /** Runs once per cold start, before the first request is served. */
  onColdStart?: ((deps: CoreDeps) => Promise<void>) | undefined;
}

/**
 * `work` run once; a failure is answered (a dependency out: 503) and tried again on the next
 * request, never cached and never a failed start.
 */
const onceUntilItWorks = <A extends unknown[]>(work: (...args: A) => Promise<void>) => {
  let done: Promise<void> | undefined;
  return (...args: A) => {
    done ??= work(...args).catch((error: unknown) => {
      done = undefined; // try again on the next request
      throw error;
    });
    return done;
  };
};

/** The composition root's dependencies, and the function's cold-start work awaited once. */
export const coreDeps = ({
  deps,
  loadSettings,
  onColdStart,
}: CoreDepsOptions): PipelineMiddleware => {
  const settingsLoaded = loadSettings && onceUntilItWorks(loadSettings);
  const coldStart = onColdStart && onceUntilItWorks(onColdStart);
  return {
    before: async (request) => {
      if (settingsLoaded) await settingsLoaded();
      const resolved = deps();
      request.internal.deps = resolved;
      if (coldStart) await coldStart(resolved);
    },
  };
};
