import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { issueClientToken } from '../../../../src/core/oauth/client-credentials';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { storedClient, verifyWithDeps } from '../../../support/oauth-fixtures';
import { aUser } from '../../../support/users';

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code: string }) => error.code,
  );

const serviceClient = async (deps: TestDeps, role: 'viewer' | 'editor' = 'editor') => {
  const service = aUser({ role, type: 'machine' });
  await deps.store.createUser(service);
  const client = await storedClient(deps, {
    confidential: true,
    grantTypes: ['client_credentials'],
    serviceUserId: service.id,
  });
  return { service, client };
};

describe('client credentials', () => {
  it('issues an access token naming the service account, with its grants and no refresh token', async () => {
    const deps = testDeps();
    const { service, client } = await serviceClient(deps);
    const token = await issueClientToken(deps, client, undefined, noRequest);
    expect(token).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: deps.config.accessTokenTtlSeconds,
      scope: token.scope,
    });
    const claims = await verifyWithDeps(deps)(token.access_token);
    expect(claims).toMatchObject({
      sub: service.id,
      client_id: client.clientId,
      scope: token.scope,
    });
    expect(token.scope.split(' ')).toEqual(
      expect.arrayContaining(deps.scopes.editor.filter((s) => !s.startsWith('openid'))),
    );
    // Its session lives as long as the token, bound to the client.
    const session = await deps.store.getSession(claims.sid);
    expect(session).toMatchObject({
      userId: service.id,
      clientId: client.clientId,
      expiresAt: deps.clock.now() + deps.config.accessTokenTtlSeconds * 1000,
    });
  });

  it('grants exactly the scope asked for, and refuses one beyond the service account’s grants', async () => {
    const deps = testDeps();
    const { client } = await serviceClient(deps, 'viewer');
    expect((await issueClientToken(deps, client, 'profile', noRequest)).scope).toBe('profile');
    const refused = await issueClientToken(deps, client, 'profile users:write', noRequest).then(
      () => 'accepted',
      (error: { code: string; message: string }) => error.message,
    );
    expect(refused).toBe('scope: not granted to this user: users:write.');
  });

  it('records the grant in the audit log', async () => {
    const deps = testDeps();
    const { service, client } = await serviceClient(deps);
    await issueClientToken(deps, client, undefined, noRequest);
    const { items } = await deps.store.listAuditEvents({ limit: 10 });
    expect(items).toContainEqual(
      expect.objectContaining({
        action: 'oauth.client_credentials',
        actor_id: service.id,
        target_id: client.clientId,
      }),
    );
  });

  it('refuses a client whose service account is gone or not active', async () => {
    const deps = testDeps();
    const { service, client } = await serviceClient(deps);
    await deps.store.updateUser(service, {
      ...service,
      status: 'disabled',
      updatedAt: service.updatedAt + 1,
    });
    expect(await refusal(issueClientToken(deps, client, undefined, noRequest))).toBe(
      'account_disabled',
    );
    const orphan = await storedClient(deps, { serviceUserId: null });
    expect(await refusal(issueClientToken(deps, orphan, undefined, noRequest))).toBe(
      'account_disabled',
    );
  });

  it('issues nothing for a client deleted after it was authenticated', async () => {
    const deps = testDeps();
    const { client } = await serviceClient(deps);
    await deps.store.deleteClient(client.clientId);
    expect(await refusal(issueClientToken(deps, client, undefined, noRequest))).toBe(
      'api_key_invalid',
    );
  });
});
