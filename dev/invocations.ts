import { channel } from 'node:diagnostics_channel';

/** One Lambda invocation the local server made, and its handler time (Lambda's billed Duration). */
export interface Invocation {
  function: string;
  ms: number;
}

/**
 * Every invocation of the local server, for benches that price them (bench/capacity.ts). With
 * no subscriber nothing is timed, so `npm start` and the tests pay nothing for it.
 */
export const invocations = channel('gatehouse:local-invocation');

/** `handler`, publishing its time on `invocations` under `name` while someone listens. */
export const timed =
  <A extends unknown[], R>(name: string, handler: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    if (!invocations.hasSubscribers) return handler(...args);
    const started = performance.now();
    try {
      return await handler(...args);
    } finally {
      invocations.publish({ function: name, ms: performance.now() - started } satisfies Invocation);
    }
  };
