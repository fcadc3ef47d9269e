export interface TtlCacheOptions {
  /** How long an entry is trusted, in milliseconds. */
  ttlMs: number;
  /** At most this many entries; when full, the whole cache goes (every entry is only a cache). */
  maxSize: number;
  now: () => number;
}

/**
 * The one bounded, time-limited memory of answers (session revocation, API-token state, API
 * keys): an entry read `ttlMs` or more after it was stored is gone. Synchronous, so a hit
 * costs the hot path no await.
 */
export const createTtlCache = <K, V>(options: TtlCacheOptions) => {
  const entries = new Map<K, { value: V; storedAt: number }>();
  return {
    /** The value stored less than `ttlMs` ago, or undefined. */
    get(key: K): V | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (options.now() - entry.storedAt < options.ttlMs) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key: K, value: V): void {
      if (entries.size >= options.maxSize && !entries.has(key)) entries.clear();
      entries.set(key, { value, storedAt: options.now() });
    },
  };
};
