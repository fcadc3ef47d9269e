import type { AccessTokenClaims } from '../core/access-tokens';
import type { CoreDeps } from '../core/deps';
import { createKeyRing } from '../core/key-ring';
import { publishedJwks } from '../core/signing-keys';

/**
 * Access-token verification for handlers that are handed a token in a body (introspection,
 * revocation): the authorizer's key ring over the store's published keys.
 */
export const accessTokenCheck = (deps: CoreDeps) => {
  const ring = createKeyRing({
    issuer: deps.config.issuerUrl,
    audience: deps.config.audience,
    now: () => deps.clock.now(),
    loadKeys: async () => (await publishedJwks(deps)).keys,
    cacheSize: 1000,
  });
  return async (token: string): Promise<AccessTokenClaims> => ring.verify(token);
};
