import { describe, expect, it } from 'vitest';
import { userInfoAction } from '../../../../src/http/actions/userinfo';
import type { Principal } from '../../../../src/http/principal';
import { testDeps } from '../../../support/core-deps';
import { storedClient } from '../../../support/oauth-fixtures';
import { actionRequest } from '../../../support/pipeline';
import { aUser } from '../../../support/users';

const setUp = async (principal: Partial<Principal>) => {
  const deps = testDeps();
  const user = aUser({ name: 'Ada', username: 'ada', emailVerified: true });
  await deps.store.createUser(user);
  const client = await storedClient(deps, { redirectUris: ['https://rp.example.com/cb'] });
  const shared: string[][] = [];
  const request = actionRequest(deps, undefined, {
    principal: {
      userId: user.id,
      actingAsDefaultOwner: false,
      role: user.role,
      scopes: ['openid', 'email'],
      sid: 'session-1',
      jti: 'jti-1',
      clientId: client.clientId,
      ...principal,
    },
    shareWith: (origins) => {
      shared.push(origins);
    },
  });
  return { request, user, shared };
};

describe('userInfoAction', () => {
  it('answers sub and the granted scopes’ claims, shared with the client’s redirect origins', async () => {
    const { request, user, shared } = await setUp({});
    const answer = await userInfoAction(request);
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body as string)).toEqual({
      sub: user.id,
      email: user.email,
      email_verified: true,
    });
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(shared).toEqual([['https://rp.example.com']]);
  });

  it('answers 403 insufficient_scope with its challenge to a token without openid', async () => {
    const { request } = await setUp({ scopes: ['profile', 'email'] });
    const answer = await userInfoAction(request);
    expect(answer.statusCode).toBe(403);
    expect(JSON.parse(answer.body as string).error).toBe('insufficient_scope');
    expect(answer.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="openid"',
    );
  });

  it('refuses an API token (no session) as token_invalid, even holding openid', async () => {
    const { request } = await setUp({ sid: '', clientId: '' });
    await expect(userInfoAction(request)).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('refuses a token whose user has since changed role or gone', async () => {
    const demoted = await setUp({ role: 'owner' });
    await expect(userInfoAction(demoted.request)).rejects.toMatchObject({ code: 'token_invalid' });
    const gone = await setUp({ userId: 'nobody' });
    await expect(userInfoAction(gone.request)).rejects.toMatchObject({ code: 'token_invalid' });
  });
});
