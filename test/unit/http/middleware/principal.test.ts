import { describe, expect, it } from 'vitest';
import { principal } from '../../../../src/http/middleware/principal';
import { defaultOwnerContext } from '../../../../src/http/principal';
import { testDeps } from '../../../support/core-deps';
import { httpEvent, pipelineRequest, routeFor, run } from '../../../support/pipeline';
import { createUserWithPassword } from '../../../support/users';

const withContext = (key: string, lambda: Record<string, unknown>, deps = testDeps()) => {
  const event = httpEvent(key);
  event.requestContext.authorizer = { lambda };
  return pipelineRequest(event, { deps, route: routeFor(key) });
};

const userContext = {
  principal: 'user',
  sub: 'u1',
  role: 'member',
  scope: 'profile:read profile:write',
  sid: 's1',
  jti: 'j1',
  client_id: '',
};

describe('principal', () => {
  it('reads the authorizer’s principal', async () => {
    const { internal } = await run(principal().before, withContext('GET /me', userContext));
    expect(internal.principal).toMatchObject({
      userId: 'u1',
      role: 'member',
      scopes: ['profile:read', 'profile:write'],
      actingAsDefaultOwner: false,
    });
  });

  it('fails closed: a protected route without a principal is token_invalid', async () => {
    await expect(run(principal().before, withContext('GET /me', {}))).rejects.toMatchObject({
      code: 'token_invalid',
    });
  });

  it('answers the authorizer’s refusal with its code', async () => {
    const refused = { error_code: 'token_expired', error_message: 'The access token has expired.' };
    await expect(run(principal().before, withContext('GET /me', refused))).rejects.toMatchObject({
      code: 'token_expired',
    });
  });

  it('gives a public route no principal, whatever the context says', async () => {
    const { internal } = await run(
      principal().before,
      withContext('POST /auth/sign-in', userContext),
    );
    expect(internal.principal).toBeNull();
  });

  it('acts as the default owner, looked up by email, when user authentication is off', async () => {
    const deps = testDeps({
      REQUIRE_USER_AUTHENTICATION: '0',
      DEFAULT_OWNER_EMAIL: 'owner@example.com',
    });
    const owner = await createUserWithPassword(deps, { email: 'owner@example.com', role: 'owner' });
    const { internal } = await run(
      principal().before,
      withContext('GET /me', defaultOwnerContext('profile:read'), deps),
    );
    expect(internal.principal).toMatchObject({ userId: owner.id, actingAsDefaultOwner: true });
  });

  it('refuses the default owner when user authentication is on', async () => {
    await expect(
      run(principal().before, withContext('GET /me', defaultOwnerContext('profile:read'))),
    ).rejects.toMatchObject({ code: 'token_invalid' });
  });
});
