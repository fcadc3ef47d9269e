import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../../src/core/users/users';
import { Redirect } from '../../../src/web/page-handler';
import { authorizePage } from '../../../src/web/pages/authorize';
import { operatorRegisters } from '../../support/clients';
import { testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';
import { createUserWithPassword } from '../../support/users';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const setUp = async () => {
  const deps = testDeps();
  const client = await operatorRegisters(deps, {
    name: 'spa',
    grant_types: ['authorization_code'],
    confidential: false,
    first_party: true,
    redirect_uris: ['https://spa.example.com/cb'],
  });
  const user = await createUserWithPassword(deps, { email: 'ann@example.com', role: 'viewer' });
  const request = (query: Record<string, string>, signedIn: UserRecord | null = null) =>
    pageRequest(deps, { path: '/oauth/authorize', query, user: signedIn, sid: 's' });
  const good = {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: 'https://spa.example.com/cb',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    state: 'st-1',
  };
  return { deps, user, request, good };
};

describe('GET /oauth/authorize', () => {
  it('shows an error page, never a redirect, for an unknown client or redirect URI', async () => {
    const { request, good } = await setUp();
    for (const query of [
      { ...good, client_id: 'gh_nobodynobodynobodynobo' },
      { ...good, redirect_uri: 'https://spa.example.com/other' },
      { ...good, redirect_uri: 'https://evil.example/cb' },
    ]) {
      const result = await authorizePage(request(query));
      expect(result.statusCode).toBe(400);
      expect(result.headers.location).toBeUndefined();
    }
  });

  it('sends other errors back to the client with the state', async () => {
    const { request, good } = await setUp();
    const { code_challenge_method: _m, ...noPkce } = good;
    const result = await authorizePage(request(noPkce));
    const location = new URL(result.headers.location as string);
    expect(location.origin + location.pathname).toBe('https://spa.example.com/cb');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('st-1');
    const token = await authorizePage(request({ ...good, response_type: 'token' }));
    expect(new URL(token.headers.location as string).searchParams.get('error')).toBe(
      'unsupported_response_type',
    );
  });

  it('sends a stranger to sign in and back, and a signed-in user on with a code', async () => {
    const { request, good, user } = await setUp();
    const stranger = await authorizePage(request(good)).catch((error: unknown) => error);
    expect(stranger).toBeInstanceOf(Redirect);
    const signIn = (stranger as Redirect).result.headers.location as string;
    expect(signIn).toMatch(/^\/sign-in\?return_to=%2Foauth%2Fauthorize%3F/);
    const result = await authorizePage(request(good, user));
    const back = new URL(result.headers.location as string);
    expect(back.searchParams.get('code')).toMatch(/^ac_/);
    expect(back.searchParams.get('state')).toBe('st-1');
  });
});
