import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { issueAuthorizationCode } from '../../../../src/core/oauth/authorization-codes';
import { GRANT_TYPES, type GrantType } from '../../../../src/core/oauth/clients';
import { MFA_GRANT_TYPE } from '../../../../src/core/oauth/mfa-grant';
import { tokenAction } from '../../../../src/http/actions/oauth-token';
import { grantHandlers } from '../../../../src/http/actions/token-grants';
import type { ActionRequest } from '../../../../src/http/handler';
import { OAuthProtocolError } from '../../../../src/http/oauth-errors';
import { operatorRegisters } from '../../../support/clients';
import { testDeps } from '../../../support/core-deps';
import { createUserWithPassword } from '../../../support/users';

const tokenRequest = (body: Record<string, string>, shared: string[][]): ActionRequest => ({
  deps: testDeps({ ALLOWED_REDIRECT_ORIGINS: 'https://spa.example.com' }),
  body,
  principal: null,
  pathParameters: {},
  query: {},
  authorization: null,
  cookies: {},
  origin: 'https://spa.example.com',
  meta: noRequest,
  shareWith: (origins) => {
    shared.push(origins);
  },
});

describe('the token endpoint', () => {
  it('has one grant handler per grant type, and the MFA grant no client registers', () => {
    expect(Object.keys(grantHandlers).sort()).toEqual([...GRANT_TYPES, MFA_GRANT_TYPE].sort());
  });

  it('refuses an unknown grant type as unsupported_grant_type', async () => {
    const refusal = await tokenAction(tokenRequest({ grant_type: 'magic' }, [])).catch(
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(OAuthProtocolError);
    expect(refusal).toMatchObject({ error: 'unsupported_grant_type', status: 400 });
  });

  it('shares its answer, a refusal included, with the allowed origins before anything can fail', async () => {
    const shared: string[][] = [];
    await tokenAction(tokenRequest({ grant_type: 'password', client_id: 'unknown' }, shared)).catch(
      () => undefined,
    );
    expect(shared).toEqual([['https://spa.example.com']]);
  });

  it('answers a scope refusal as invalid_scope', async () => {
    const refusal = await tokenAction(
      tokenRequest({ grant_type: 'refresh_token', refresh_token: 'x', scope: 'a"b' }, []),
    ).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ error: 'invalid_scope' });
  });
});

describe('refresh tokens from the code grant', () => {
  const CB = 'https://alb.example.com/oauth2/idpresponse';
  /** A confidential client with `grantTypes` redeems a code as an ALB does (client_secret_post). */
  const redeemFor = async (grantTypes: GrantType[]) => {
    const deps = testDeps();
    const client = await operatorRegisters(deps, {
      name: 'alb',
      redirect_uris: [CB],
      grant_types: grantTypes,
      confidential: true,
      first_party: true,
    });
    const user = await createUserWithPassword(deps);
    const code = await issueAuthorizationCode(deps, {
      clientId: client.client_id,
      redirectUri: CB,
      codeChallenge: '',
      userId: user.id,
      scope: ['openid'],
    });
    const body = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CB,
      client_id: client.client_id,
      client_secret: client.client_secret as string,
    };
    const answer = await tokenAction({ ...tokenRequest(body, []), deps });
    return JSON.parse(answer.body as string) as Record<string, unknown>;
  };

  it('gives none to a client without the refresh_token grant, which could never use it', async () => {
    const tokens = await redeemFor(['authorization_code']);
    expect(tokens).toMatchObject({
      access_token: expect.any(String),
      id_token: expect.any(String),
    });
    expect(tokens).not.toHaveProperty('refresh_token');
  });

  it('gives one to a client with the refresh_token grant', async () => {
    const tokens = await redeemFor(['authorization_code', 'refresh_token']);
    expect(tokens.refresh_token).toMatch(/^srt_/);
  });
});
