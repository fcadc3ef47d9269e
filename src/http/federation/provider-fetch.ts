import { AsyncLocalStorage } from 'node:async_hooks';
import type { CustomFetch } from 'openid-client';

/**
 * Every request openid-client makes to an identity provider, bounded: a route that talks to a
 * provider answers within 3 s (API.md, 503 `unavailable`), so all its provider requests share
 * one deadline, and a refused connection, a timeout or a 5xx is a `ProviderUnreachable`.
 */
export class ProviderUnreachable extends Error {
  override readonly name = 'ProviderUnreachable';
}

/** What a route may spend talking to providers, leaving time to answer within 3 s. */
export const PROVIDER_BUDGET_MS = 2500;

const deadlines = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `work` under one deadline for all its provider requests, and gives up waiting at the
 * deadline even for a request another route started (a shared discovery).
 */
export const withProviderDeadline = async <T>(
  work: () => Promise<T>,
  budgetMs = PROVIDER_BUDGET_MS,
): Promise<T> => {
  const deadline = AbortSignal.timeout(budgetMs);
  let onAbort = () => {};
  const expired = new Promise<never>((_, fail) => {
    onAbort = () => fail(new ProviderUnreachable('the identity provider did not answer in time'));
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([deadlines.run(deadline, work), expired]);
  } finally {
    deadline.removeEventListener('abort', onAbort);
  }
};

export const providerFetch: CustomFetch = async (url, options) => {
  const deadline = deadlines.getStore() ?? AbortSignal.timeout(PROVIDER_BUDGET_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const where = new URL(url);
  let response: Response;
  try {
    response = await fetch(url, { ...options, signal });
  } catch (error) {
    // The URL without its query: nothing secret goes into the message.
    throw new ProviderUnreachable(`${where.origin}${where.pathname}: no answer`, { cause: error });
  }
  if (response.status >= 500) {
    throw new ProviderUnreachable(`${where.origin}${where.pathname}: ${response.status}`);
  }
  return response;
};

/** The error, or one it was caused by, is a provider out of reach. */
export const isProviderUnreachable = (error: unknown): boolean => {
  for (let e = error, depth = 0; e && depth < 8; depth++) {
    if (e instanceof ProviderUnreachable) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
};
