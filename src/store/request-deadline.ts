import { AsyncLocalStorage } from 'node:async_hooks';

/** When the request being served arrived (ms since the epoch); unset outside a request. */
const arrival = new AsyncLocalStorage<number>();

/** Runs `serve` as one request: every AWS call inside it shares the request's deadline. */
export const asRequest = <T>(serve: () => Promise<T>, arrivedAt = Date.now()): Promise<T> =>
  arrival.run(arrivedAt, serve);

/**
 * Milliseconds left of a request budget of `budgetMs` since the request arrived; Infinity
 * outside a request (a CLI, a migration) or without a request budget.
 */
export const requestTimeLeft = (budgetMs: number | undefined): number => {
  const arrivedAt = arrival.getStore();
  if (arrivedAt === undefined || budgetMs === undefined) return Number.POSITIVE_INFINITY;
  return arrivedAt + budgetMs - Date.now();
};

/**
 * Runs `work` outside the request's deadline (each AWS call keeps its own budget): for work
 * that must finish once begun, such as a sweep ending many sessions, bounded by the function's
 * timeout instead of the 3 s answer budget.
 */
export const outsideRequestDeadline = <T>(work: () => Promise<T>): Promise<T> => arrival.exit(work);
