import { createHash, createPublicKey } from 'node:crypto';
import type { ClientRecord } from '../../src/core/oauth/clients';
import { createAccessTokenVerifier } from '../../src/core/tokens/access-token-verifier';
import type { AccessTokenClaims } from '../../src/core/tokens/access-tokens';
import type { TestDeps } from './core-deps';

let clients = 0;

/** Stores a client (first-party, public, authorization_code unless told otherwise). */
export const storedClient = async (
  deps: TestDeps,
  overrides: Partial<ClientRecord> = {},
): Promise<ClientRecord> => {
  clients++;
  const client: ClientRecord = {
    clientId: `gh_${String(clients).padStart(24, '0')}`,
    secretHash: null,
    name: `App ${clients}`,
    redirectUris: ['https://app.example.com/callback'],
    grantTypes: ['authorization_code', 'refresh_token'],
    confidential: false,
    firstParty: true,
    serviceUserId: null,
    createdBy: null,
    createdAt: deps.clock.now(),
    ...overrides,
  };
  await deps.store.createClient(client);
  return client;
};

/** A PKCE pair: a verifier and its S256 challenge. */
export const pkcePair = (seed = 'a') => {
  const verifier = seed.repeat(43).slice(0, 43);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** Verifies access tokens with the deps' own signing key, as the key ring would. */
export const verifyWithDeps =
  (deps: TestDeps) =>
  async (token: string): Promise<AccessTokenClaims> => {
    const [key] = deps.keySet.keys;
    const publicKey = createPublicKey({ key: { ...key?.publicJwk }, format: 'jwk' });
    return createAccessTokenVerifier(() => publicKey, {
      issuer: deps.config.issuerUrl,
      audience: deps.config.audience,
      clockToleranceSeconds: 0,
      now: () => deps.clock.now(),
      cacheSize: 0,
    }).verify(token);
  };
