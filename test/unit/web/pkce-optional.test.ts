import { describe, expect, it } from 'vitest';
import { exchangeAuthorizationCode } from '../../../src/core/oauth/authorization-codes';
import { authorizePage } from '../../../src/web/pages/authorize';
import { operatorRegisters } from '../../support/clients';
import { testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';
import { createUserWithPassword } from '../../support/users';

const CB = 'https://app.example.com/cb';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

/** Contract: PKCE (S256 only) is required for public clients and optional for confidential ones. */
const setUp = async (confidential: boolean) => {
  const deps = testDeps();
  const client = await operatorRegisters(deps, {
    name: 'app',
    grant_types: ['authorization_code'],
    confidential,
    first_party: true,
    redirect_uris: [CB],
  });
  const user = await createUserWithPassword(deps, { role: 'viewer' });
  const authorize = async (pkce: Record<string, string>) => {
    const result = await authorizePage(
      pageRequest(deps, {
        path: '/oauth/authorize',
        query: { response_type: 'code', client_id: client.client_id, redirect_uri: CB, ...pkce },
        user,
        sid: 's',
      }),
    );
    return new URL(result.headers.location as string).searchParams;
  };
  const exchange = (code: string, codeVerifier?: string) =>
    exchangeAuthorizationCode(deps, {
      code,
      clientId: client.client_id,
      redirectUri: CB,
      ...(codeVerifier ? { codeVerifier } : {}),
    });
  return { authorize, exchange };
};

describe('PKCE', () => {
  it('lets a confidential client go without it; its code then takes no verifier', async () => {
    const { authorize, exchange } = await setUp(true);
    const code = (await authorize({})).get('code') as string;
    expect((await exchange(code)).access_token).toBeTruthy();
    const another = (await authorize({})).get('code') as string;
    await expect(exchange(another, VERIFIER)).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
  });

  it('holds a code issued with a challenge to its verifier, confidential client or not', async () => {
    const { authorize, exchange } = await setUp(true);
    const pkce = { code_challenge: CHALLENGE, code_challenge_method: 'S256' };
    const code = (await authorize(pkce)).get('code') as string;
    await expect(exchange(code)).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect((await exchange((await authorize(pkce)).get('code') as string, VERIFIER)).scope).toBe(
      (await exchange((await authorize({})).get('code') as string)).scope,
    );
  });

  it('requires it of a public client and refuses plain for anyone', async () => {
    const open = await setUp(false);
    expect((await open.authorize({})).get('error')).toBe('invalid_request');
    const closed = await setUp(true);
    const plain = await closed.authorize({
      code_challenge: VERIFIER,
      code_challenge_method: 'plain',
    });
    expect(plain.get('error')).toBe('invalid_request');
  });
});
