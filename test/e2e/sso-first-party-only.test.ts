import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { pkcePair, thirdPartyApp } from '../support/oauth';
import { hop, ssoCodeStart, useSsoStack } from '../support/sso-stack';

/**
 * Finding 3 of red team B, fixed: the JWT SSO code hand-off shows no consent page, so it is
 * for first-party clients only. A third-party client is 400 `record_invalid` at the first leg
 * (no flow cookie, nothing at the provider), and a flow cookie naming one is refused again at
 * the callback, before any sign-in: no code, no session, nothing to list in /me/grants.
 */
const OWNER = { email: 'owner@rt-sso.test', password: 'redteam sso owner passphrase 1' };
const APP = 'https://partner.example.com';

const { idp, call, signIn, stack, registerClient } = await useSsoStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  ALLOWED_REDIRECT_ORIGINS: APP,
  REVOCATION_CACHE_SECONDS: '0',
});
let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const thirdParty = async () =>
  (
    await registerClient(
      ownerToken,
      thirdPartyApp(`Partner ${randomBytes(4).toString('hex')}`, `${APP}/cb`),
    )
  ).client_id;

const challenge = () => pkcePair().challenge;

describe('the SSO code hand-off is for first-party clients only', () => {
  it('refuses a third-party client at the first leg with 400 record_invalid', async () => {
    const clientId = await thirdParty();
    idp.signInAs({ email: 'victim@idp.test', first_name: 'Vic', last_name: 'Tim' });
    const start = await hop(`${stack().url}${ssoCodeStart(`${APP}/cb`, challenge(), clientId)}`);
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
