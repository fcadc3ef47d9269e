import { beforeAll, describe, expect, it } from 'vitest';
import { pkcePair } from '../support/oauth';
import { OWNER, useBrowser } from './support/browser';

/** RP-initiated logout in a real browser: the RP's link ends the session and lands back there. */
const { tab, call, signIn, stack } = useBrowser();

const RP = 'https://rp.logout-browser.test';
let clientId: string;

beforeAll(async () => {
  const owner = await signIn(OWNER.email, OWNER.password);
  const created = await call('POST', '/clients', {
    token: owner,
    json: {
      name: 'Logout RP',
      redirect_uris: [`${RP}/cb`],
      post_logout_redirect_uris: [`${RP}/signed-out`],
      grant_types: ['authorization_code'],
      confidential: false,
      first_party: true,
    },
  });
  expect(created.status, created.text).toBe(201);
  clientId = created.body.client_id;
});

describe('RP-initiated logout', () => {
  it("with a hint: the RP's sign-out link lands back on the RP, signed out", async () => {
    const { page, visit } = tab();
    await tab().signInAsOwner();
    let logout = '';
    // The RP is not running: its page is a link to /oauth/logout, a cross-site top-level GET.
    await page.route(`${RP}/**`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: `<!doctype html><title>RP</title><a href="${logout.replaceAll('&', '&amp;')}">Sign out of RP</a>`,
      }),
    );
    // The RP signed this browser in with the code flow: the ID token it keeps is the hint.
    // (The authorization request is sent with the tab's cookies: its redirect to the RP's
    // callback leaves the browser, which routes only the RP's own pages.)
    const { verifier, challenge } = pkcePair();
    const cookies = await page.context().cookies(stack().url);
    const authorized = await fetch(
      `${stack().url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: `${RP}/cb`,
        scope: 'openid',
        state: 'in',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      })}`,
      {
        redirect: 'manual',
        headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
      },
    );
    const callback = new URL(authorized.headers.get('location') as string);
    expect(callback.origin + callback.pathname).toBe(`${RP}/cb`);
    const tokens = await fetch(`${stack().url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') as string,
        redirect_uri: `${RP}/cb`,
        client_id: clientId,
        code_verifier: verifier,
      }),
    });
    const { id_token: hint } = (await tokens.json()) as { id_token: string };
    logout = `${stack().url}/oauth/logout?${new URLSearchParams({
      id_token_hint: hint,
      post_logout_redirect_uri: `${RP}/signed-out`,
      state: 'st-browser',
    })}`;
    await page.goto(`${RP}/app`);
    await page.getByRole('link', { name: 'Sign out of RP' }).click();
    await page.waitForURL((url) => url.origin === RP && url.pathname === '/signed-out');
    expect(new URL(page.url()).searchParams.get('state')).toBe('st-browser');
    await visit('/console', 'console-after-logout');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });

  it('without a hint: the confirmation page, then back to the RP, signed out', async () => {
    const { page, visit } = tab();
    await page.route(`${RP}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/plain', body: 'rp' }),
    );
    await tab().signInAsOwner();
    await visit(
      `/oauth/logout?${new URLSearchParams({
        client_id: clientId,
        post_logout_redirect_uri: `${RP}/signed-out`,
        state: 'st-ask',
      })}`,
      'confirm-logout',
    );
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await page.getByText('Logout RP').waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL((url) => url.origin === RP);
    expect(new URL(page.url()).searchParams.get('state')).toBe('st-ask');
    await visit('/console', 'console-after-confirm');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });
});
