import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOidcIdp } from '../support/oidc-idp';
import { OWNER, useBrowser } from './support/browser';

/**
 * Signing in through an OIDC provider in chromium: the sign-in page's button, the real test
 * provider (oidc-provider, which signs its current user in with no page of its own), the
 * console; then an owner finds the identity on the user's page and unlinks it.
 */
const idp = await startTestOidcIdp();
afterAll(() => idp.stop());
const PROVIDER = idp.providerEntry({ id: 'testidp', name: 'Test Provider' });

const { tab, stack, call, signIn } = useBrowser({
  IDENTITY_PROVIDERS: JSON.stringify([PROVIDER]),
});
beforeAll(() => {
  idp.allowRedirect(`${stack().url}/auth/federated/testidp/callback`);
});

const PERSON = {
  sub: 'fed-browser-1',
  email: 'fed.person@browser.test',
  email_verified: true,
  name: 'Fed Person',
};

describe('signing in with an OIDC provider', () => {
  it('goes from the provider button through the provider to the console; an owner unlinks the identity', async () => {
    const { context, page, visit, snap, signInAsOwner } = tab();
    const base = stack().url;
    idp.setUser(PERSON);

    await visit('/sign-in', 'sign-in');
    const button = page.getByRole('link', { name: 'Sign in with Test Provider' });
    expect(await button.getAttribute('href')).toBe('/auth/federated/testidp?return_to=%2Fconsole');
    await button.click();
    await page.waitForURL(`${base}/console`);
    await snap('console-after-provider');
    // The browser really went to the provider and came back through the callback.
    expect(tab().urls.some((url) => url.startsWith(`${idp.issuer}/auth`))).toBe(true);
    expect(
      tab().urls.some((url) => url.startsWith(`${base}/auth/federated/testidp/callback?`)),
    ).toBe(true);
    expect(await page.getByText('Signed in as').textContent()).toContain(PERSON.email);
    const own = page.getByRole('region', { name: 'Linked identities' });
    expect(await own.getByRole('row').nth(1).textContent()).toMatch(
      /Test Provider\s*fed-browser-1/,
    );
    expect(await own.getByRole('button', { name: /Unlink/ }).count()).toBe(0);

    // The owner, in the same browser after a fresh start.
    await context.clearCookies();
    await signInAsOwner();
    await visit(`/console/users?q=${encodeURIComponent(PERSON.email)}`, 'users');
    await page.getByRole('link', { name: PERSON.email }).click();
    await page.waitForURL(/\/console\/users\/[^/?]+$/);
    await snap('user-page');
    const linked = page.getByRole('region', { name: 'Linked identities' });
    expect(await linked.getByRole('row').nth(1).textContent()).toMatch(
      /Test Provider\s*fed-browser-1/,
    );
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await linked.getByRole('button', { name: 'Unlink Test Provider fed-browser-1' }).click();
    await page.waitForURL(/\?notice=unlinked$/);
    await snap('unlinked');
    expect(dialogs).toEqual([expect.stringMatching(/^Unlink this identity\?/)]);
    expect(await page.getByRole('status').textContent()).toContain('Identity unlinked');
    expect(await linked.textContent()).toContain('None.');

    // The API agrees: the identity is gone from {user}, and the unlink is audited as the owner's.
    const token = await signIn(OWNER.email, OWNER.password);
    const found = await call('GET', `/users?q=${encodeURIComponent(PERSON.email)}`, { token });
    const [user] = found.body.users;
    expect(user.identities).toEqual([]);
    const audit = await call('GET', `/audit?action=user.unlink&target_id=${user.id}`, { token });
    expect(audit.body.events.map((e: { detail: unknown }) => e.detail)).toEqual([
      { provider: 'testidp', subject: PERSON.sub },
    ]);
  });
});
