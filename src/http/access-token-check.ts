import { createPublicKey, type KeyObject } from 'node:crypto';
import { createAccessTokenVerifier, UnknownKeyError } from '../core/access-token-verifier';
import type { AccessTokenClaims } from '../core/access-tokens';
import type { CoreDeps } from '../core/deps';
import { publishedJwks } from '../core/signing-keys';

const RELOAD_INTERVAL_MS = 30_000;

/**
 * Access-token verification for handlers that are handed a token in a body (introspection,
 * revocation): the same strict checks as the authorizer, with the published keys, reloaded
 * when an unknown key appears (at most every 30 s).
 */
export const accessTokenCheck = (deps: CoreDeps) => {
  const keys = new Map<string, KeyObject>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  const load = async () => {
    const published = await publishedJwks(deps);
    keys.clear();
    for (const jwk of published.keys) {
      keys.set(jwk.kid, createPublicKey({ key: { ...jwk }, format: 'jwk' }));
    }
    loadedAt = deps.clock.now();
  };
  const verifier = createAccessTokenVerifier((kid) => keys.get(kid), {
    issuer: deps.config.issuerUrl,
    audience: deps.config.audience,
    clockToleranceSeconds: 30,
    now: deps.clock.now,
    cacheSize: 1000,
  });
  return async (token: string): Promise<AccessTokenClaims> => {
    if (loadedAt < 0) await load();
    try {
      return verifier.verify(token);
    } catch (error) {
      if (!(error instanceof UnknownKeyError) || deps.clock.now() - loadedAt < RELOAD_INTERVAL_MS) {
        throw error;
      }
      await load();
      return verifier.verify(token);
    }
  };
};
