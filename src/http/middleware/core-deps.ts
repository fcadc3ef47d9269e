import type { CoreDeps } from '../../core/shared/deps';
import type { PipelineMiddleware } from './state';

export interface CoreDepsOptions {
  deps: () => CoreDeps;
  /** Runs once per cold start, before the first request is served. */
  onColdStart?: ((deps: CoreDeps) => Promise<void>) | undefined;
}

/** The composition root's dependencies, and the function's cold-start work awaited once. */
export const coreDeps = ({ deps, onColdStart }: CoreDepsOptions): PipelineMiddleware => {
  let coldStart: Promise<void> | undefined;
  return {
    before: async (request) => {
      const resolved = deps();
      request.internal.deps = resolved;
      if (!onColdStart) return;
      coldStart ??= onColdStart(resolved).catch((error: unknown) => {
        coldStart = undefined; // try again on the next request
        throw error;
      });
      await coldStart;
    },
  };
};
