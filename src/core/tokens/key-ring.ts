import { createPublicKey, type KeyObject } from 'node:crypto';
import { createAccessTokenVerifier, UnknownKeyError } from './access-token-verifier';
import type { AccessTokenClaims } from './access-tokens';
import { KEY_PUBLISH_LEAD_SECONDS, KEY_REFRESH_SECONDS } from './key-timing';
import type { PublicJwk } from './signing-keys';

export interface KeyRingOptions {
  issuer: string;
  audience: string;
  now: () => number;
  /**
   * The published public keys; read on first use, every `refreshIntervalMs`, and when an
   * unknown `kid` appears.
   */
  loadKeys: () => Promise<PublicJwk[]>;
  /** How soon an unknown `kid` may trigger another reload (default 30 s). */
  reloadIntervalMs?: number;
  /** How old the keys may grow before the next token waits for a fresh read (default 5 min). */
  refreshIntervalMs?: number;
  /** How soon an empty ring (before the first set) may read again (default 1 s). */
  emptyReloadIntervalMs?: number;
  /** How many verified tokens the verifier remembers. */
  cacheSize: number;
}

/**
 * The one key ring: the published keys in memory and the strict verifier over them, for the
 * authorizer and for handlers handed a token in a body (introspection, revocation). A staged key
 * is known before it signs: the ring re-reads the published keys every `refreshIntervalMs`,
 * below the publish lead, whatever `kid`s arrive. Invariant: tokens with unknown `kid`s (an
 * attacker's) cause at most one read per `reloadIntervalMs` and never delay the refresh.
 */
export const createKeyRing = (options: KeyRingOptions) => {
  const keys = new Map<string, KeyObject>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let readAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;
  const reloadInterval = options.reloadIntervalMs ?? 30_000;
  const refreshInterval = options.refreshIntervalMs ?? KEY_REFRESH_SECONDS * 1000;
  const emptyReloadInterval = options.emptyReloadIntervalMs ?? 1000;

  // Concurrent callers share one read.
  const reload = () => {
    if (!loading) readAt = options.now();
    loading ??= options
      .loadKeys()
      .then((jwks) => {
        keys.clear();
        for (const jwk of jwks) {
          keys.set(jwk.kid, createPublicKey({ key: { ...jwk }, format: 'jwk' }));
        }
        loadedAt = options.now();
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  const verifier = createAccessTokenVerifier((kid) => keys.get(kid), {
    issuer: options.issuer,
    audience: options.audience,
    clockToleranceSeconds: 30,
    now: options.now,
    cacheSize: options.cacheSize,
  });

  return {
    /**
     * The token's claims, or a throw (a rejection once it had to wait). Synchronous when the
     * keys are loaded and know the token's `kid`: the hot path awaits nothing it need not.
     */
    verify(token: string): AccessTokenClaims | Promise<AccessTokenClaims> {
      if (loadedAt < 0) return reload().then(() => verifier.verify(token));
      if (options.now() - loadedAt > refreshInterval) {
        // A failed refresh keeps the keys held (a store outage does not refuse every token).
        // Invariant: held keys older than the publish lead may include a key the JWKS dropped
        // (retired or withdrawn): past it the ring refuses, as signer-cache.ts stops signing.
        const heldFor = options.now() - loadedAt;
        return reload().then(
          () => verifier.verify(token),
          (error: unknown) => {
            if (heldFor > KEY_PUBLISH_LEAD_SECONDS * 1000) throw error;
            return verifier.verify(token);
          },
        );
      }
      try {
        return verifier.verify(token);
      } catch (error) {
        // Holding no key (read before the very first set, which signs at once): read again,
        // at most once per `emptyReloadIntervalMs` (unknown kids never flood the store).
        const sinceRead = options.now() - readAt;
        const stale =
          (keys.size === 0 && sinceRead > emptyReloadInterval) ||
          (options.now() - loadedAt > reloadInterval && sinceRead > reloadInterval);
        if (error instanceof UnknownKeyError && stale) {
          return reload().then(() => verifier.verify(token));
        }
        throw error;
      }
    },
  };
};
