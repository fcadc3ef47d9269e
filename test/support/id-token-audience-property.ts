import { createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../src/core/oauth/authorization-codes';
import type { ClientRecord } from '../../src/core/oauth/clients';
import { rotateRefreshToken, type TokenResponse } from '../../src/core/sessions/sessions';
import type { Store } from '../../src/core/shared/store';
import { createAccessTokenVerifier } from '../../src/core/tokens/access-token-verifier';
import { type TestDeps, testDeps } from './core-deps';
import { pkcePair, storedClient } from './oauth-fixtures';
import { aUser } from './users';

const REDIRECT = 'https://app.example.com/callback';

/** A step: a code issued to one client and redeemed by any, or a refresh presented by any. */
const step = fc.oneof(
  fc.record({
    kind: fc.constant('code' as const),
    issuedTo: fc.nat(2),
    redeemedBy: fc.nat(2),
    openid: fc.boolean(),
    nonce: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('refresh' as const),
    token: fc.nat(20),
    presentedBy: fc.nat(2),
  }),
);

/** The authorizer's verifier over every published key (ES256 and RS256), as the authorizer has it. */
const accessTokenVerifier = (deps: TestDeps) => {
  const keys = new Map(
    deps.keySet.keys.map((k) => [
      k.kid,
      createPublicKey({ key: { ...k.publicJwk }, format: 'jwk' }),
    ]),
  );
  return createAccessTokenVerifier((kid) => keys.get(kid), {
    issuer: deps.config.issuerUrl,
    audience: deps.config.audience,
    clockToleranceSeconds: 0,
    now: deps.clock.now,
    cacheSize: 100,
  });
};

/** A random sequence of code redemptions and refreshes across three clients. */
export const idTokenSteps = fc.array(step, { minLength: 1, maxLength: 12 });

/**
 * Invariant: an ID token's aud (and azp) is always the client that redeemed the code or the
 * refresh token, which is the client the session was issued to; never another. Its nonce is
 * the code's own, and a refresh's ID token has none. And an ID token never passes where an
 * access token is asked for, while the access token beside it does.
 */
export const checkIdTokenSteps = async (
  store: Store,
  steps: typeof idTokenSteps extends fc.Arbitrary<infer T> ? T : never,
) => {
  const deps = testDeps({}, store);
  const user = aUser();
  await deps.store.createUser(user);
  const clients: ClientRecord[] = [];
  // Clients signed with either key: an ES256 ID token shares its key with access tokens.
  for (const alg of ['RS256', 'ES256', 'RS256'] as const) {
    clients.push(await storedClient(deps, { idTokenSignedResponseAlg: alg }));
  }
  const held: { token: string; clientId: string }[] = [];
  const verifier = accessTokenVerifier(deps);
  const check = (tokens: TokenResponse, redeemer: ClientRecord, nonce?: string) => {
    expect(verifier.verify(tokens.access_token).sub).toBe(user.id);
    if (!tokens.id_token) return;
    expect(() => verifier.verify(tokens.id_token as string)).toThrow();
    const claims = decodeJwt(tokens.id_token);
    expect(claims.aud).toBe(redeemer.clientId);
    expect(claims.azp).toBe(redeemer.clientId);
    expect(claims.nonce).toBe(nonce);
  };
  for (const s of steps) {
    if (s.kind === 'code') {
      const issuedTo = clients[s.issuedTo] as ClientRecord;
      const redeemer = clients[s.redeemedBy] as ClientRecord;
      const pkce = pkcePair();
      const code = await issueAuthorizationCode(deps, {
        clientId: issuedTo.clientId,
        redirectUri: REDIRECT,
        codeChallenge: pkce.challenge,
        userId: user.id,
        scope: s.openid ? ['openid', 'email'] : ['email'],
        ...(s.nonce === undefined ? {} : { nonce: s.nonce }),
      });
      const answer = await exchangeAuthorizationCode(deps, {
        code,
        clientId: redeemer.clientId,
        redirectUri: REDIRECT,
        codeVerifier: pkce.verifier,
      }).catch(() => null);
      expect(answer !== null).toBe(issuedTo === redeemer);
      if (!answer) continue;
      expect(answer.id_token !== undefined).toBe(s.openid);
      check(answer, redeemer, s.nonce);
      held.push({ token: answer.refresh_token, clientId: redeemer.clientId });
    } else {
      const entry = held[s.token % Math.max(1, held.length)];
      if (!entry) continue;
      const presenter = clients[s.presentedBy] as ClientRecord;
      const answer = await rotateRefreshToken(deps, entry.token, {
        endpoint: 'oauth',
        client: presenter,
      }).catch(() => null);
      if (presenter.clientId !== entry.clientId) expect(answer).toBeNull();
      if (!answer) continue;
      check(answer, presenter);
      held.push({ token: answer.refresh_token, clientId: presenter.clientId });
    }
  }
};
