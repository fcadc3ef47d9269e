import { describe, expect, it } from 'vitest';
import { jwtSpellings } from '../support/spellings';
import { useSsoStack } from '../support/sso-stack';

// Finding 3 over HTTP on DynamoDB Local: the replay store was keyed on the token's text, so
// each of the 4 spellings of an HS256 signature was accepted once.
const { idp, stack } = await useSsoStack({
  DEFAULT_OWNER_EMAIL: 'owner@replay.test',
  DEFAULT_OWNER_PASSWORD: 'replay e2e owner passphrase',
  RATE_LIMIT_PER_IP: '0',
});

const callback = async (token: string) => {
  const response = await fetch(
    `${stack().url}/auth/sso?jwt=${encodeURIComponent(token)}&return_to=%2Flanding`,
    { redirect: 'manual' },
  );
  return {
    status: response.status,
    session: response.headers.getSetCookie().some((c) => /^gatehouse_session=[^;]/.test(c)),
    body: await response.text(),
  };
};

describe('SSO replay, keyed on decoded content', () => {
  it('accepts an HS256 token once, in whichever of its spellings comes first', async () => {
    const token = idp.signLikeMetabase({ email: 'spelled@replay.test' });
    const [canonical, ...others] = jwtSpellings(token);
    expect(others.length).toBeGreaterThanOrEqual(3);
    const first = await callback(canonical as string);
    expect(first.status, first.body).toBe(302);
    expect(first.session).toBe(true);
    for (const other of [...others, canonical as string]) {
      const again = await callback(other);
      expect(again.status, other).toBe(401);
      expect(JSON.parse(again.body).error.code).toBe('token_invalid');
      expect(again.session).toBe(false);
    }
  });

  it('refuses a non-canonical spelling even first, and then still takes the real one once', async () => {
    const token = idp.signLikeMetabase({ email: 'first-odd@replay.test' });
    const [canonical, other] = jwtSpellings(token);
    expect((await callback(other as string)).status).toBe(401);
    expect((await callback(canonical as string)).status).toBe(302);
    expect((await callback(canonical as string)).status).toBe(401);
  });

  it('refuses another signature of the same content (ES256 signs differently each time)', async () => {
    const now = Math.round(Date.now() / 1000);
    const claims = { email: 'resigned@replay.test', iat: now, exp: now + 120 };
    const one = await idp.signWithKey('ES256', claims);
    const two = await idp.signWithKey('ES256', claims);
    expect(one).not.toBe(two);
    expect((await callback(one)).status).toBe(302);
    const replay = await callback(two);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatch(/already been used/);
  });
});
