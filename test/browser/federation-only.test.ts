import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOidcIdp } from '../support/oidc-idp';
import { useBrowser } from './support/browser';

/**
 * Password sign-in off, one OIDC provider: the sign-in page is its button alone, and a
 * signed-out visit to a console page comes back to that page through the provider.
 */
const idp = await startTestOidcIdp();
afterAll(() => idp.stop());

const { tab, stack } = useBrowser({
  PASSWORD_LOGIN_ENABLED: '0',
  IDENTITY_PROVIDERS: JSON.stringify([idp.providerEntry({ id: 'testidp', name: 'Test Provider' })]),
});
beforeAll(() => {
  idp.allowRedirect(`${stack().url}/auth/federated/testidp/callback`);
});

describe('signing in when the provider is the only way in', () => {
  it('shows only the button, and brings a signed-out console visit back to its page', async () => {
    const { page, visit, snap } = tab();
    const base = stack().url;
    idp.setUser({ sub: 'only-1', email: 'only@browser.test', email_verified: true, name: 'Only' });

    await visit('/console/tokens', 'signed-out-visit');
    expect(page.url()).toBe(`${base}/sign-in?return_to=%2Fconsole%2Ftokens`);
    expect(await page.locator('input[type="password"]').count()).toBe(0);
    expect(await page.getByRole('button').count()).toBe(0);
    const links = page.getByRole('main').getByRole('link');
    expect(await links.allTextContents()).toEqual(['Sign in with Test Provider']);

    await links.first().click();
    await page.waitForURL(`${base}/console/tokens`);
    await snap('back-at-tokens');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API tokens');
  });
});
