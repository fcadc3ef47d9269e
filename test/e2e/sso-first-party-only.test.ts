import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { SSO_SECRET, startTestIdp } from '../support/test-idp';

/**
 * Finding 3 of red team B, fixed: the JWT SSO code hand-off shows no consent page, so it is
 * for first-party clients only. A third-party client is 400 `record_invalid` at the first leg
 * (no flow cookie, nothing at the provider), and a flow cookie naming one is refused again at
 * the callback, before any sign-in: no code, no session, nothing to list in /me/grants.
 */
const OWNER = { email: 'owner@rt-sso.test', password: 'redteam sso owner passphrase 1' };
const APP = 'https://partner.example.com';

const idp = await startTestIdp();
afterAll(() => idp.close());

const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  SSO_JWT_SECRET: SSO_SECRET,
  SSO_IDP_URL: idp.ssoUrl,
  ALLOWED_REDIRECT_ORIGINS: APP,
  REVOCATION_CACHE_SECONDS: '0',
});
let ownerToken: string;
beforeAll(async () => {
  idp.setGatehouse(stack().url);
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const hop = async (url: string, cookies: string[] = []) => {
  const response = await fetch(url, {
    redirect: 'manual',
    headers: cookies.length ? { cookie: cookies.map((c) => c.split(';')[0]).join('; ') } : {},
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    cookies: response.headers.getSetCookie(),
    body: await response.text(),
  };
};

const thirdParty = async () => {
  const created = await call('POST', '/clients', {
    token: ownerToken,
    json: {
      name: `Partner ${randomBytes(4).toString('hex')}`,
      grant_types: ['authorization_code', 'refresh_token'],
      confidential: false,
      first_party: false,
      redirect_uris: [`${APP}/cb`],
    },
  });
  expect(created.status, created.text).toBe(201);
  return created.body.client_id as string;
};

const challenge = () =>
  createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');

describe('the SSO code hand-off is for first-party clients only', () => {
  it('refuses a third-party client at the first leg with 400 record_invalid', async () => {
    const clientId = await thirdParty();
    idp.signInAs({ email: 'victim@idp.test', first_name: 'Vic', last_name: 'Tim' });
    const start = await hop(
      `${stack().url}/auth/sso?return_to=${encodeURIComponent(`${APP}/cb`)}&code_challenge=${challenge()}&code_challenge_method=S256&client_id=${clientId}`,
    );
    expect(start.status, start.body).toBe(400);
    expect(JSON.parse(start.body).error.code).toBe('record_invalid');
    expect(start.location).toBeNull();
    expect(
      start.cookies.some((c) => c.startsWith('gatehouse_sso_flow=') && !c.includes('Max-Age=0')),
    ).toBe(false);
  });

  it('refuses again at the callback a flow cookie that names a third-party client: no code, no session', async () => {
    const clientId = await thirdParty();
    idp.signInAs({ email: 'victim2@idp.test', first_name: 'Vic', last_name: 'Two' });
    // A flow cookie as the first leg wrote them before the fix (or forged in the browser).
    const flow = Buffer.from(
      JSON.stringify({ c: challenge(), i: clientId, r: `${APP}/cb` }),
    ).toString('base64url');
    const plain = await hop(`${stack().url}/auth/sso?return_to=${encodeURIComponent(`${APP}/cb`)}`);
    expect(plain.status, plain.body).toBe(302);
    const atProvider = await hop(plain.location as string);
    const landed = await hop(atProvider.location as string, [`gatehouse_sso_flow=${flow}`]);
    expect(landed.status, landed.body).toBe(400);
    expect(JSON.parse(landed.body).error.code).toBe('record_invalid');
    expect(landed.location).toBeNull();
    expect(landed.cookies.some((c) => c.startsWith('gatehouse_session='))).toBe(false);
    const audit = await call('GET', '/audit?action=consent.grant', { token: ownerToken });
    expect(audit.body.events).toHaveLength(0);
  });
});
