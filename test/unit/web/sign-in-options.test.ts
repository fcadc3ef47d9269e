import { describe, expect, it } from 'vitest';
import { signInPage, signInRedirect } from '../../../src/web/pages/auth';
import { testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';

const PROVIDERS = JSON.stringify([
  { id: 'corp', name: 'Corp <SSO>', issuer: 'https://idp.corp.test', client_id: 'gh' },
  { id: 'globus', name: 'Globus', issuer: 'https://auth.globus.org', client_id: 'gh2' },
]);

const signInHtml = async (env: Record<string, string>, query: Record<string, string> = {}) => {
  const deps = testDeps(env);
  const result = await signInPage(pageRequest(deps, { path: '/sign-in', query }));
  expect(result.statusCode).toBe(200);
  return result.body ?? '';
};

const providerLinks = (body: string) =>
  [...body.matchAll(/<a class="button secondary" href="([^"]+)">([^<]*(?:&lt;[^<]*)*)<\/a>/g)].map(
    (m) => [m[1], m[2]],
  );

describe('the sign-in page with OIDC providers', () => {
  it('shows one button per provider, in order, carrying the checked return_to', async () => {
    const body = await signInHtml(
      { IDENTITY_PROVIDERS: PROVIDERS },
      { return_to: '/console/users?q=a&role=viewer' },
    );
    const target = encodeURIComponent('/console/users?q=a&role=viewer');
    expect(providerLinks(body)).toEqual([
      [`/auth/federated/corp?return_to=${target}`, 'Sign in with Corp &lt;SSO&gt;'],
      [`/auth/federated/globus?return_to=${target}`, 'Sign in with Globus'],
    ]);
    // The password form is still there.
    expect(body).toContain('name="password"');
  });

  it('defaults return_to to the console and refuses a foreign one before any button', async () => {
    const body = await signInHtml({ IDENTITY_PROVIDERS: PROVIDERS });
    expect(body).toContain('href="/auth/federated/corp?return_to=%2Fconsole"');
    const deps = testDeps({ IDENTITY_PROVIDERS: PROVIDERS });
    await expect(
      signInPage(
        pageRequest(deps, { path: '/sign-in', query: { return_to: 'https://evil.test/' } }),
      ),
    ).rejects.toMatchObject({ code: 'record_invalid' });
  });

  it('with password sign-in off, shows only the buttons', async () => {
    const body = await signInHtml({ IDENTITY_PROVIDERS: PROVIDERS, PASSWORD_LOGIN_ENABLED: '0' });
    expect(providerLinks(body)).toHaveLength(2);
    expect(body).not.toContain('<form method="post" action="/sign-in"');
    expect(body).not.toContain('Password sign-in is turned off');
    expect(body).not.toContain('<script>');
  });

  it('shows no provider list when none is configured', async () => {
    const body = await signInHtml({});
    expect(body).not.toContain('/auth/federated/');
    expect(body).not.toContain('sign-in-options');
  });

  it('sends strangers to choose on the sign-in page when SSO is not the only way in', () => {
    const sso = {
      SSO_JWT_SECRET: 'a unit sso secret, long enough',
      SSO_IDP_URL: 'https://idp.test/sso',
    };
    const off = { ...sso, PASSWORD_LOGIN_ENABLED: '0' };
    const where = (env: Record<string, string>) =>
      signInRedirect(testDeps(env), '/console').headers?.location;
    expect(where(off)).toBe('/auth/sso?return_to=%2Fconsole');
    expect(where({ ...off, IDENTITY_PROVIDERS: PROVIDERS })).toBe('/sign-in?return_to=%2Fconsole');
  });
});
