import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginKey } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { confirmedTotp } from '../support/mfa-fixtures';
import { SSO_SECRET, startTestIdp } from '../support/test-idp';
import { totpCodeAt } from '../support/totp-codes';
import { useBrowser } from './support/browser';

/** SSO of a user with a factor, in chromium: the challenge page, not the console (lane mfa-pages). */
const idp = await startTestIdp();
afterAll(() => idp.close());
const { tab, stack } = useBrowser({
  SSO_JWT_SECRET: SSO_SECRET,
  SSO_IDP_URL: idp.ssoUrl,
  SSO_JWKS_URL: idp.jwksUrl,
});
beforeAll(() => idp.setGatehouse(stack().url));

describe('SSO with a second factor', () => {
  it('lands on the challenge page with no session, and the code signs in', async () => {
    const { context, page, visit, snap } = tab();
    const email = 'sso-mfa@browser.test';
    idp.signInAs({ email, first_name: 'Sso', last_name: 'Factor' });
    await visit('/auth/sso?return_to=%2Fconsole', 'first-login');
    expect(new URL(page.url()).pathname).toBe('/console');

    const deps = buildDeps(process.env);
    const id = (await deps.store.findLogin(loginKey(email)))?.userId;
    const user = id ? await deps.store.getUser(id) : null;
    if (!user) throw new Error('no SSO user');
    const { secret } = await confirmedTotp(deps, user);
    const confirmedAt = Date.now();

    await context.clearCookies();
    await visit('/auth/sso?return_to=%2Fconsole', 'held-at-challenge');
    expect(new URL(page.url()).pathname).toBe('/sign-in/mfa');
    expect((await context.cookies()).some((c) => c.name === 'gatehouse_session')).toBe(false);
    // Not in: the console still sends this browser to sign in.
    await visit('/console', 'console-refused');
    expect(new URL(page.url()).pathname).not.toBe('/console');

    await visit('/sign-in/mfa?return_to=%2Fconsole', 'challenge');
    await page
      .getByLabel('Code')
      .fill(totpCodeAt(secret, Math.max(Date.now(), confirmedAt + 30_000)));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${stack().url}/console`);
    await snap('signed-in');
    expect(await page.getByText('Signed in as').textContent()).toContain(email);
  });
});
