import jwt from 'jsonwebtoken';
import { afterAll, describe, expect, it } from 'vitest';
import { ssoConfigFromEnv } from '../../../../src/core/identity/sso-config';
import { createSsoTokenVerifier } from '../../../../src/core/identity/sso-token';
import { SSO_SECRET, startTestIdp } from '../../../support/test-idp';

const idp = await startTestIdp();
afterAll(() => idp.close());

const now = () => Math.round(Date.now() / 1000);
const verifierFor = (env: Record<string, string>) => {
  const config = ssoConfigFromEnv(env);
  if (!config) throw new Error('SSO is off');
  return createSsoTokenVerifier(config, Date.now);
};

describe('SSO token verification', () => {
  const jwks = verifierFor({
    SSO_JWKS_URL: idp.jwksUrl,
    SSO_ISSUER: 'https://idp.example.com',
    SSO_AUDIENCE: 'gatehouse',
  });
  const claims = { email: 'a@b.co', iss: 'https://idp.example.com', aud: 'gatehouse' };

  it('checks the issuer and audience of JWKS providers when set', async () => {
    const good = await idp.signWithKey('ES256', { ...claims, exp: now() + 60 });
    await expect(jwks(good)).resolves.toMatchObject({ email: 'a@b.co' });
    const wrongIssuer = await idp.signWithKey('RS256', {
      ...claims,
      iss: 'https://other.example.com',
      exp: now() + 60,
    });
    await expect(jwks(wrongIssuer)).rejects.toThrow(/not acceptable/);
    const wrongAudience = await idp.signWithKey('EdDSA', { ...claims, aud: 'x', exp: now() + 60 });
    await expect(jwks(wrongAudience)).rejects.toThrow(/not acceptable/);
  });

  it('takes HS256 only when a shared key is set, and only on that key', async () => {
    const hs = jwt.sign({ ...claims, exp: now() + 60 }, SSO_SECRET);
    await expect(jwks(hs)).rejects.toThrow(/HS256 are not accepted/);
    const shared = verifierFor({ SSO_JWT_SECRET: SSO_SECRET });
    await expect(shared(hs)).resolves.toMatchObject({ email: 'a@b.co' });
    const es = await idp.signWithKey('ES256', { ...claims, exp: now() + 60 });
    await expect(shared(es)).rejects.toThrow(/ES256 are not accepted/);
  });

  it('refuses a typ other than JWT, so an access token is never an SSO token', async () => {
    const shared = verifierFor({ SSO_JWT_SECRET: SSO_SECRET });
    const typed = jwt.sign({ ...claims, exp: now() + 60 }, SSO_SECRET, {
      header: { alg: 'HS256', typ: 'at+jwt' },
    });
    await expect(shared(typed)).rejects.toThrow(/typ/);
  });
});
