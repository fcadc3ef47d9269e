import fc from 'fast-check';
import { expect } from 'vitest';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../src/core/oauth/authorization-codes';
import type { ClientRecord } from '../../src/core/oauth/clients';
import { allowConsent, decideAuthorization } from '../../src/core/oauth/consent';
import {
  grantScopes,
  heldScopes,
  InvalidScopeError,
  OPENID_SCOPES,
} from '../../src/core/oauth/oauth-scopes';
import { rotateRefreshToken, type TokenResponse } from '../../src/core/sessions/sessions';
import type { Store } from '../../src/core/shared/store';
import { ROLES, type Role } from '../../src/core/users/roles';
import { operatorRegisters } from './clients';
import { testDeps } from './core-deps';
import { aUser } from './users';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CB = 'https://app.example.com/cb';
const meta = { ip: null, userAgent: null };

const catalog = testDeps().scopes;
/** Every scope anyone can hold, plus ones nobody holds. */
const UNIVERSE = [...new Set([...catalog.owner, ...OPENID_SCOPES, 'nobody:has', 'admin'])];

const KNOWN = [...new Set([...catalog.owner, ...OPENID_SCOPES])];
/** Mostly scopes someone holds (so runs get past authorize), some nobody holds, or none. */
const scopeList = fc.oneof(
  { weight: 3, arbitrary: fc.subarray(KNOWN, { minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.subarray(UNIVERSE, { minLength: 1, maxLength: 6 }) },
  { weight: 2, arbitrary: fc.constant(null) },
);

const operation = fc.oneof(
  fc.record({ kind: fc.constant('refresh' as const), scope: scopeList }),
  fc.record({ kind: fc.constant('role' as const), role: fc.constantFrom(...ROLES) }),
);

export const scenario = fc.record({
  role: fc.constantFrom(...ROLES),
  firstParty: fc.boolean(),
  requested: scopeList,
  allow: fc.boolean(),
  operations: fc.array(operation, { minLength: 1, maxLength: 8 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as {
    scope: string;
  };

const within = (scopes: readonly string[], bound: readonly string[]) =>
  scopes.every((s) => bound.includes(s));

/**
 * Invariants of finding 7 over a random authorization and then random refreshes (each with a
 * random `scope`) and role changes written straight to the store (no session revocation, the
 * worst case): every token's scope is within the user's current grants plus the OpenID
 * scopes, within what the session was granted (a refresh never widens), the answer's `scope`
 * is the token's claim, and a third-party client the user did not allow gets no token.
 */
export const checkScenario = async (store: Store, run: Scenario) => {
  const deps = testDeps({}, store);
  // Another owner, so any demotion of the user is allowed by the store.
  await store.createUser(aUser({ role: 'owner' }));
  let user = aUser({ role: run.role });
  await store.createUser(user);
  const created = await operatorRegisters(
    deps,
    {
      name: 'app',
      grant_types: ['authorization_code', 'refresh_token'],
      confidential: false,
      first_party: run.firstParty,
      redirect_uris: [CB],
    },
    'prop',
  );
  const client = (await store.getClient(created.client_id)) as ClientRecord;
  const held = () => heldScopes(catalog, user.role);

  // The path that shows no page (the SSO code flow) gives a third-party client `profile` only.
  if (!run.firstParty) expect(grantScopes(catalog, user.role, null, false)).toEqual(['profile']);

  let decision: Awaited<ReturnType<typeof decideAuthorization>>;
  try {
    decision = await decideAuthorization(deps, user, client, run.requested, false);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidScopeError);
    expect(run.requested && within(run.requested, held())).toBe(false);
    return;
  }
  expect(within(decision.scope, held())).toBe(true);
  if (run.requested) expect(decision.scope).toEqual(run.requested);
  if (decision.kind === 'consent') {
    expect(run.firstParty).toBe(false);
    // Deny (or no answer): no code is ever issued; nothing more to check.
    if (!run.allow) return;
    await allowConsent(deps, user, client, decision.scope, meta);
    const again = await decideAuthorization(deps, user, client, run.requested, false);
    expect(again.kind).toBe('grant');
  }
  const granted = decision.scope;
  const code = await issueAuthorizationCode(deps, {
    clientId: client.clientId,
    redirectUri: CB,
    codeChallenge: CHALLENGE,
    userId: user.id,
    scope: granted,
  });
  let tokens: TokenResponse = await exchangeAuthorizationCode(deps, {
    code,
    clientId: client.clientId,
    redirectUri: CB,
    codeVerifier: VERIFIER,
  });
  const check = (answer: TokenResponse, asked: readonly string[] | null) => {
    const scopes = answer.scope.split(' ').filter(Boolean);
    expect(claimsOf(answer.access_token).scope).toBe(answer.scope);
    expect(within(scopes, held())).toBe(true);
    expect(within(scopes, granted)).toBe(true);
    if (asked) expect(within(scopes, asked)).toBe(true);
    if (!run.firstParty && !run.allow) expect(within(scopes, ['profile'])).toBe(true);
  };
  check(tokens, null);
  for (const op of run.operations) {
    if (op.kind === 'role') {
      const next = { ...user, role: op.role as Role, updatedAt: user.updatedAt + 1 };
      await store.updateUser(user, next);
      user = next;
      continue;
    }
    try {
      tokens = await rotateRefreshToken(
        deps,
        tokens.refresh_token,
        { endpoint: 'oauth', client },
        op.scope,
      );
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidScopeError);
      // Refused only for a scope the session was not granted.
      expect(op.scope && within(op.scope, granted)).toBe(false);
      continue;
    }
    if (op.scope) expect(within(op.scope, granted)).toBe(true);
    check(tokens, op.scope);
  }
};
