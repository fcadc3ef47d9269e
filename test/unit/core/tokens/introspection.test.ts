import { describe, expect, it } from 'vitest';
import { rotateRefreshToken, startSession } from '../../../../src/core/sessions/sessions';
import { apiTokenDigest, newApiTokenSecret } from '../../../../src/core/tokens/api-token-secret';
import { INACTIVE, introspectToken } from '../../../../src/core/tokens/introspection';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { storedClient, verifyWithDeps } from '../../../support/oauth-fixtures';
import { aUser } from '../../../support/users';

const seconds = (ms: number) => Math.floor(ms / 1000);

const signedIn = async (deps: TestDeps, clientId: string | null = null) => {
  const user = aUser({ role: 'editor' });
  await deps.store.createUser(user);
  const tokens = await startSession(deps, user, clientId);
  const introspect = (token: string, onlyClient: string | null = null) =>
    introspectToken(deps, token, verifyWithDeps(deps), onlyClient);
  return { user, tokens, introspect };
};

const sidOf = async (deps: TestDeps, accessToken: string) =>
  (await verifyWithDeps(deps)(accessToken)).sid;

describe('introspection', () => {
  it('answers a live access token with the contract’s fields', async () => {
    const deps = testDeps();
    const { user, tokens, introspect } = await signedIn(deps);
    const claims = await verifyWithDeps(deps)(tokens.access_token);
    expect(await introspect(tokens.access_token)).toEqual({
      active: true,
      sub: user.id,
      username: user.username,
      email: user.email,
      role: 'editor',
      user_type: 'human',
      iss: deps.config.issuerUrl,
      scope: claims.scope,
      token_type: 'access_token',
      token_id: claims.jti,
      iat: claims.iat,
      exp: claims.exp,
      renewable: false,
    });
  });

  it('answers a live refresh token by its session, and not once rotated', async () => {
    const deps = testDeps();
    const { tokens, introspect } = await signedIn(deps);
    const sid = await sidOf(deps, tokens.access_token);
    expect(await introspect(tokens.refresh_token)).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      token_id: sid,
      iat: seconds(deps.clock.now()),
      exp: seconds(deps.clock.now() + deps.config.sessionTtlSeconds * 1000),
    });
    await rotateRefreshToken(deps, tokens.refresh_token, { endpoint: 'auth' });
    expect(await introspect(tokens.refresh_token)).toEqual(INACTIVE);
  });

  it('answers a live API token with its scopes within the owner’s grants', async () => {
    const deps = testDeps();
    const { user, introspect } = await signedIn(deps);
    const secret = newApiTokenSecret();
    const digest = apiTokenDigest(secret);
    await deps.store.createApiToken({
      ...digest,
      name: 'ci',
      scopes: ['profile', 'users:write'],
      userId: user.id,
      createdBy: user.id,
      createdAt: deps.clock.now(),
      expiresAt: null,
      lifetimeSeconds: null,
      renewable: true,
      lastUsedAt: null,
      revokedAt: null,
    });
    const answer = await introspect(secret);
    expect(answer).toMatchObject({
      active: true,
      token_type: 'api_token',
      token_id: digest.tokenId,
      renewable: true,
    });
    expect(answer).not.toHaveProperty('exp');
    const granted = answer.active ? answer.scope.split(' ') : [];
    expect(granted.every((s) => deps.scopes.editor.includes(s))).toBe(true);
  });

  it('is exactly {active: false} once the session ends, the user is disabled, or for garbage', async () => {
    const deps = testDeps();
    const { user, tokens, introspect } = await signedIn(deps);
    expect(await introspect('not-a-token')).toEqual(INACTIVE);
    expect(await introspect('srt_unknown')).toEqual(INACTIVE);
    expect(await introspect(`${newApiTokenSecret()}`)).toEqual(INACTIVE);
    await deps.store.updateUser(user, {
      ...user,
      status: 'disabled',
      updatedAt: user.updatedAt + 1,
    });
    expect(await introspect(tokens.access_token)).toEqual(INACTIVE);
    expect(await introspect(tokens.refresh_token)).toEqual(INACTIVE);

    const other = await signedIn(deps);
    await deps.store.revokeSession(await sidOf(deps, other.tokens.access_token), deps.clock.now());
    expect(await other.introspect(other.tokens.access_token)).toEqual(INACTIVE);
    expect(await other.introspect(other.tokens.refresh_token)).toEqual(INACTIVE);
  });

  it('tells a third-party client only about tokens issued to itself', async () => {
    const deps = testDeps();
    const client = await storedClient(deps, { firstParty: false });
    const other = await storedClient(deps);
    const issued = await signedIn(deps, client.clientId);
    const signIn = await signedIn(deps);
    expect(await issued.introspect(issued.tokens.access_token, client.clientId)).toMatchObject({
      active: true,
      client_id: client.clientId,
    });
    expect(await issued.introspect(issued.tokens.refresh_token, client.clientId)).toMatchObject({
      active: true,
    });
    expect(await issued.introspect(issued.tokens.access_token, other.clientId)).toEqual(INACTIVE);
    expect(await signIn.introspect(signIn.tokens.access_token, client.clientId)).toEqual(INACTIVE);
  });

  it('drops a refresh token at once when its client is deleted', async () => {
    const deps = testDeps();
    const client = await storedClient(deps);
    const { tokens, introspect } = await signedIn(deps, client.clientId);
    await deps.store.deleteClient(client.clientId);
    expect(await introspect(tokens.refresh_token)).toEqual(INACTIVE);
  });
});
