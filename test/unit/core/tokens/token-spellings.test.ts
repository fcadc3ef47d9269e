import { generateKeyPair, SignJWT } from 'jose';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { ssoConfigFromEnv } from '../../../../src/core/identity/sso-config';
import { createSsoTokenVerifier, ssoReplayKey } from '../../../../src/core/identity/sso-token';
import { browserSessionUser } from '../../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import {
  isWellFormedApiToken,
  newApiTokenSecret,
} from '../../../../src/core/tokens/api-token-secret';
import { testDeps } from '../../../support/core-deps';
import { jwtSpellings, spellings } from '../../../support/spellings';
import { SSO_SECRET } from '../../../support/test-idp';
import { createUserWithPassword, PASSWORD } from '../../../support/users';

// Finding 3: a remembered token has one spelling; the others are refused before any lookup.
describe('token spellings', () => {
  it('takes an API token only in its canonical spelling', () => {
    const secret = newApiTokenSecret();
    const body = secret.slice(4, -6);
    const [canonical, ...others] = spellings(body);
    expect(isWellFormedApiToken(`sat_${canonical}${secret.slice(-6)}`)).toBe(true);
    expect(others).toHaveLength(3);
    for (const other of others)
      expect(isWellFormedApiToken(`sat_${other}${secret.slice(-6)}`)).toBe(false);
  });

  it('takes a browser cookie secret only in its canonical spelling', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps);
    const { browserSession } = await signInWithPassword(deps, {
      login: user.email,
      password: PASSWORD,
      browser: true,
    });
    const [sid, secret] = (browserSession as string).split('.') as [string, string];
    const [canonical, ...others] = spellings(secret);
    expect(await browserSessionUser(deps, `${sid}.${canonical}`)).not.toBeNull();
    for (const other of others)
      expect(await browserSessionUser(deps, `${sid}.${other}`)).toBeNull();
  });

  it('refuses SSO tokens in any but canonical base64url, padding included', async () => {
    const config = ssoConfigFromEnv({ SSO_JWT_SECRET: SSO_SECRET });
    if (!config) throw new Error('SSO is off');
    const verify = createSsoTokenVerifier(config, Date.now);
    const token = jwt.sign(
      { email: 'a@b.co', exp: Math.round(Date.now() / 1000) + 60 },
      SSO_SECRET,
    );
    const [canonical, ...others] = jwtSpellings(token);
    await expect(verify(canonical as string)).resolves.toMatchObject({ email: 'a@b.co' });
    expect(others.length).toBeGreaterThanOrEqual(3);
    for (const other of others) await expect(verify(other)).rejects.toThrow(/canonical/);
    const [h, p, s] = token.split('.');
    await expect(verify(`${h}.${p}.${s}=`)).rejects.toThrow(/canonical/);
    await expect(verify(`${h}.${p}.${s?.slice(0, -1)}+`)).rejects.toThrow(/canonical/);
  });

  it('keys SSO replay on the decoded content: two signatures of one content are one token', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const sign = () =>
      new SignJWT({ email: 'a@b.co' })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
        .setIssuedAt(1_800_000_000)
        .setExpirationTime(1_800_000_060)
        .sign(privateKey);
    const [one, two] = [await sign(), await sign()];
    expect(one).not.toBe(two); // ES256 signatures are randomized
    expect(ssoReplayKey(one)).toBe(ssoReplayKey(two));
    expect(ssoReplayKey(one)).toEqual(expect.any(String));
    // ES256's 64-byte signature leaves 4 spare bits: 16 spellings, all refused but one.
    expect(jwtSpellings(one).map(ssoReplayKey).filter(Boolean)).toHaveLength(1);
  });
});
