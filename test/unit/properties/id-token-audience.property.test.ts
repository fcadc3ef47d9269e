import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { expect, it } from 'vitest';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../../src/core/oauth/authorization-codes';
import type { ClientRecord } from '../../../src/core/oauth/clients';
import { rotateRefreshToken, type TokenResponse } from '../../../src/core/sessions/sessions';
import { testDeps } from '../../support/core-deps';
import { pkcePair, storedClient } from '../../support/oauth-fixtures';
import { propertyRuns } from '../../support/property-runs';
import { aUser } from '../../support/users';

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

/**
 * Invariant: an ID token's aud (and azp) is always the client that redeemed the code or the
 * refresh token, which is the client the session was issued to; never another. Its nonce is
 * the code's own, and a refresh's ID token has none.
 */
it('an ID token names only the client that redeemed the grant', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
      const deps = testDeps();
      const user = aUser();
      await deps.store.createUser(user);
      const clients: ClientRecord[] = [];
      for (let i = 0; i < 3; i++) clients.push(await storedClient(deps));
      const held: { token: string; clientId: string }[] = [];
      const check = (tokens: TokenResponse, redeemer: ClientRecord, nonce?: string) => {
        if (!tokens.id_token) return;
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
    }),
    { numRuns: propertyRuns(40) },
  );
});
