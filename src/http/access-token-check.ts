import type { CoreDeps } from '../core/shared/deps';
import type { AccessTokenClaims } from '../core/tokens/access-tokens';
import { createKeyRing } from '../core/tokens/key-ring';
import { publishedJwks } from '../core/tokens/signing-keys';

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
