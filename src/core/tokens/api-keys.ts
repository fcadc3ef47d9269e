import { createTtlCache } from '../shared/ttl-cache';

/**
 * `x-api-key`: an OAuth client's id names the calling app (API.md). Client ids have one
 * shape, so anything else is refused without a read.
 */
export const CLIENT_ID_PATTERN = /^gh_[A-Za-z0-9_-]{24}$/;

export interface ApiKeyCheckOptions {
  /** Whether a client with this id exists now. */
  isKnownClient: (clientId: string) => Promise<boolean>;
  now: () => number;
  /** How long an answer is trusted: a deleted client's key stops working within this. */
  cacheSeconds: number;
  cacheSize?: number;
}

/** Checks API keys with at most one read per key per cache window. */
export const createApiKeyCheck = (options: ApiKeyCheckOptions) => {
  const known = createTtlCache<string, boolean>({
    ttlMs: options.cacheSeconds * 1000,
    maxSize: options.cacheSize ?? 10_000,
    now: options.now,
  });
  return async (key: string | undefined): Promise<boolean> => {
    if (!key || !CLIENT_ID_PATTERN.test(key)) return false;
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    const ok = await options.isKnownClient(key);
    known.set(key, ok);
    return ok;
  };
};

export const API_KEY_REFUSAL = 'Send a known client id in the x-api-key header.';
