import { describe, expect, it } from 'vitest';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../../../src/core/oauth/authorization-codes';
import { sha256 } from '../../../../src/core/shared/ids';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { pkcePair, storedClient } from '../../../support/oauth-fixtures';
import { aUser } from '../../../support/users';

const REDIRECT = 'https://app.example.com/callback';

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code: string; message: string }) => `${error.code}: ${error.message}`,
  );

const setUp = async (deps: TestDeps, withChallenge = true) => {
  const user = aUser({ role: 'editor' });
  await deps.store.createUser(user);
  const client = await storedClient(deps);
  const pkce = pkcePair();
  const code = await issueAuthorizationCode(deps, {
    clientId: client.clientId,
    redirectUri: REDIRECT,
    codeChallenge: withChallenge ? pkce.challenge : '',
    userId: user.id,
    scope: ['profile'],
  });
  const exchange = (
    overrides: { codeVerifier?: string; redirectUri?: string; clientId?: string } = {},
  ) =>
    exchangeAuthorizationCode(deps, {
      code,
      clientId: client.clientId,
      redirectUri: REDIRECT,
      ...(withChallenge ? { codeVerifier: pkce.verifier } : {}),
      ...overrides,
    });
  return { user, client, code, pkce, exchange };
};

describe('authorization codes', () => {
  it('issues an `ac_` code the client exchanges once, with its verifier, for a session', async () => {
    const deps = testDeps();
    const { user, client, code, exchange } = await setUp(deps);
    expect(code).toMatch(/^ac_/);
    const tokens = await exchange();
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'profile', user: { id: user.id } });
    expect(tokens.refresh_token).toMatch(/^srt_/);
    const refresh = await deps.store.getRefreshToken(sha256(tokens.refresh_token));
    const session = await deps.store.getSession(refresh?.sid ?? '');
    expect(session).toMatchObject({
      userId: user.id,
      clientId: client.clientId,
      scope: ['profile'],
    });
    expect(await refusal(exchange())).toBe(
      'invalid_credentials: The code is invalid, used or expired.',
    );
  });

  it('is spent by a wrong try: a wrong verifier, then the right one, both refused', async () => {
    const deps = testDeps();
    const { exchange } = await setUp(deps);
    expect(await refusal(exchange({ codeVerifier: pkcePair('b').verifier }))).toBe(
      'invalid_credentials: The code_verifier does not match.',
    );
    expect(await refusal(exchange())).toMatch(/^invalid_credentials: The code is invalid/);
  });

  it('binds the code to its client and exact redirect URI', async () => {
    const deps = testDeps();
    const first = await setUp(deps);
    expect(await refusal(first.exchange({ redirectUri: `${REDIRECT}/` }))).toBe(
      'invalid_credentials: The code was issued to another client or redirect URI.',
    );
    const second = await setUp(deps);
    const other = await storedClient(deps);
    expect(await refusal(second.exchange({ clientId: other.clientId }))).toBe(
      'invalid_credentials: The code was issued to another client or redirect URI.',
    );
  });

  it('lives 60 seconds', async () => {
    const deps = testDeps();
    const { exchange } = await setUp(deps);
    deps.clock.advance(60);
    expect(await refusal(exchange())).toMatch(/^invalid_credentials: The code is invalid/);
  });

  it('takes a verifier exactly when it was issued with a challenge', async () => {
    const deps = testDeps();
    const withChallenge = await setUp(deps);
    expect(await refusal(withChallenge.exchange({ codeVerifier: undefined as never }))).toBe(
      'invalid_credentials: The code_verifier does not fit how the code was requested.',
    );
    const without = await setUp(deps, false);
    expect(await refusal(without.exchange({ codeVerifier: pkcePair().verifier }))).toBe(
      'invalid_credentials: The code_verifier does not fit how the code was requested.',
    );
    const fresh = await setUp(deps, false);
    expect(await fresh.exchange()).toMatchObject({ token_type: 'Bearer' });
  });

  it('refuses malformed challenges, verifiers and codes before any lookup', async () => {
    const deps = testDeps();
    const user = aUser();
    await deps.store.createUser(user);
    const issue = issueAuthorizationCode(deps, {
      clientId: 'gh_x',
      redirectUri: REDIRECT,
      codeChallenge: 'plain-challenge',
      userId: user.id,
      scope: [],
    });
    expect(await refusal(issue)).toBe('record_invalid: code_challenge: must be an S256 challenge.');
    const { exchange } = await setUp(deps);
    expect(await refusal(exchange({ codeVerifier: 'short' }))).toBe(
      'record_invalid: code_verifier: must be 43 to 128 unreserved characters.',
    );
    // The malformed verifier spent nothing: the code still works.
    expect(await exchange()).toMatchObject({ token_type: 'Bearer' });
    const notACode = exchangeAuthorizationCode(deps, {
      code: 'xx_not-a-code',
      clientId: 'gh_x',
      redirectUri: REDIRECT,
    });
    expect(await refusal(notACode)).toMatch(/^invalid_credentials: The code is invalid/);
  });

  it('is void once the user’s credentials move (a reset, a role change…)', async () => {
    const deps = testDeps();
    const { user, exchange } = await setUp(deps);
    const stored = await deps.store.getUser(user.id);
    if (!stored) throw new Error('no user');
    await deps.store.updateUser(stored, {
      ...stored,
      credentialVersion: (stored.credentialVersion ?? 0) + 1,
      updatedAt: stored.updatedAt + 1,
    });
    expect(await refusal(exchange())).toMatch(/^invalid_credentials: The code is invalid/);
  });

  it('is refused once its client is deleted', async () => {
    const deps = testDeps();
    const { client, exchange } = await setUp(deps);
    await deps.store.deleteClient(client.clientId);
    expect(await refusal(exchange())).toBe('invalid_credentials: The client no longer exists.');
  });
});
