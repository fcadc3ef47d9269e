import { createHash } from 'node:crypto';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { expect } from 'vitest';
import { issueOneTimeToken, spendOneTimeToken } from '../../src/core/account/one-time-tokens';
import { noRequest } from '../../src/core/audit/audit';
import { signInWithSso } from '../../src/core/identity/sso-sign-in';
import { createSsoTokenVerifier } from '../../src/core/identity/sso-token';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../src/core/oauth/authorization-codes';
import { rotateRefreshToken } from '../../src/core/sessions/sessions';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import { toSeconds } from '../../src/core/shared/clock';
import type { Store } from '../../src/core/shared/store';
import { operatorRegisters } from './clients';
import { type TestDeps, testDeps } from './core-deps';
import { jwtSpellings, spellings } from './spellings';
import { SSO_SECRET } from './test-idp';
import { createUserWithPassword, PASSWORD } from './users';

const KINDS = ['refresh', 'mailed', 'code', 'sso'] as const;
type Kind = (typeof KINDS)[number];

const VERIFIER = 'a-code-verifier-that-is-long-enough-for-pkce-0123456789';

/** One token of `kind`: its canonical text, its spellings (canonical first) and its use. */
const tokenOf = async (
  deps: TestDeps,
  kind: Kind,
): Promise<{ spelled: string[]; use: (token: string) => Promise<unknown> }> => {
  const user = await createUserWithPassword(deps);
  switch (kind) {
    case 'refresh': {
      const { refresh_token } = await signInWithPassword(deps, {
        login: user.email,
        password: PASSWORD,
      });
      const secret = (refresh_token as string).slice(4);
      return {
        spelled: spellings(secret).map((s) => `srt_${s}`),
        use: (token) => rotateRefreshToken(deps, token, { endpoint: 'auth' }),
      };
    }
    case 'mailed': {
      const token = await issueOneTimeToken(deps, {
        purpose: 'reset_password',
        userId: user.id,
        email: user.email,
        credentialVersion: user.credentialVersion ?? 0,
        ttlSeconds: 600,
      });
      return {
        spelled: spellings(token.slice(4)).map((s) => `prt_${s}`),
        use: (t) => spendOneTimeToken(deps, t, ['reset_password']),
      };
    }
    case 'code': {
      // A code is exchanged only for a client that exists (a first-party one: no consent).
      const client = await operatorRegisters(
        deps,
        {
          name: 'app',
          grant_types: ['authorization_code'],
          confidential: false,
          first_party: true,
          redirect_uris: ['https://app.example.com/cb'],
        },
        'property',
      );
      const grant = {
        clientId: client.client_id,
        redirectUri: 'https://app.example.com/cb',
        codeChallenge: createHash('sha256').update(VERIFIER).digest('base64url'),
        userId: user.id,
        scope: ['profile'],
      };
      const code = await issueAuthorizationCode(deps, grant);
      return {
        spelled: spellings(code.slice(3)).map((s) => `ac_${s}`),
        use: (c) =>
          exchangeAuthorizationCode(deps, {
            code: c,
            clientId: grant.clientId,
            redirectUri: grant.redirectUri,
            codeVerifier: VERIFIER,
          }),
      };
    }
    case 'sso': {
      const config = deps.config.sso;
      if (!config) throw new Error('SSO is off');
      const verify = createSsoTokenVerifier(config, deps.clock.now);
      const iat = toSeconds(deps.clock.now());
      const token = jwt.sign({ email: user.email, iat, exp: iat + 120 }, SSO_SECRET);
      return {
        spelled: jwtSpellings(token),
        use: (t) => signInWithSso(deps, verify, t, noRequest),
      };
    }
  }
};

/**
 * Invariant (e), finding 3: a one-time token (refresh token, mailed token, authorization code,
 * SSO token) is accepted once, whatever its spelling: every non-canonical spelling is refused,
 * and the canonical one works the first time only.
 */
export const oneTimeSpellingsProperty = async (newStore: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...KINDS),
      fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { minLength: 80, maxLength: 80 }),
      async (kind, picks, sortKeys) => {
        const deps = testDeps({ SSO_JWT_SECRET: SSO_SECRET }, await newStore());
        const { spelled, use } = await tokenOf(deps, kind);
        expect(spelled.length).toBeGreaterThanOrEqual(4);
        // Every spelling once at least, in a random order, with random repeats.
        const order = [...spelled.keys(), ...picks.map((p) => p % spelled.length)]
          .map((index, i) => ({ index, key: sortKeys[i] ?? 0 }))
          .sort((a, b) => a.key - b.key)
          .map(({ index }) => index);
        const accepted: number[] = [];
        for (const index of order) {
          const ok = await use(spelled[index] as string).then(
            () => true,
            () => false,
          );
          if (ok) accepted.push(index);
        }
        expect(accepted).toEqual([0]);
      },
    ),
    { numRuns },
  );
};
