import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSpaServer } from '../../examples/spa/serve';
import { OWNER, useBrowser } from './support/browser';

/** examples/spa as an OpenID Connect relying party in chromium: ID token, userinfo, logout. */
const { tab, call, signIn, stack } = useBrowser();

let spa: Awaited<ReturnType<typeof startSpaServer>> | undefined;
let clientId: string;
let ownerId: string;
let ownerName: string;

beforeAll(async () => {
  spa = await startSpaServer(0);
  const owner = await signIn(OWNER.email, OWNER.password);
  ({ id: ownerId, name: ownerName } = (await call('GET', '/me', { token: owner })).body.user);
  expect(ownerName).toBeTruthy();
  const created = await call('POST', '/clients', {
    token: owner,
    json: {
      name: 'sample spa (oidc)',
      redirect_uris: [spa.url],
      post_logout_redirect_uris: [spa.url],
      grant_types: ['authorization_code'],
      confidential: false,
      first_party: true,
    },
  });
  expect(created.status, created.text).toBe(201);
  clientId = created.body.client_id;
});
afterAll(async () => {
  await spa?.close();
});

const spaUrl = () => spa?.url ?? '-';
const spaWith = () =>
  `${spaUrl()}?${new URLSearchParams({ gatehouse: stack().url, client_id: clientId })}`;

/** Presses Sign in in the app and signs in as the owner on Gatehouse's hosted page. */
const signInThroughApp = async (page: Page) => {
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${stack().url}/sign-in?`));
  await page.getByLabel('Email or username').fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.href.startsWith(spaUrl()));
};

/** A claims table as { claim: shown value }. */
const tableOf = async (page: Page, caption: RegExp) => {
  const rows = page.getByRole('table', { name: caption }).getByRole('row');
  const shown: Record<string, string> = {};
  for (const row of await rows.all()) {
    shown[(await row.getByRole('rowheader').textContent()) ?? ''] =
      (await row.getByRole('cell').textContent()) ?? '';
  }
  return shown;
};

describe('the sample app as an OpenID Connect relying party', () => {
  it('shows the verified ID token claims and the userinfo answer', async () => {
    const { page, urls, visit, snap } = tab();
    await visit(spaWith(), 'spa');
    await signInThroughApp(page);
    await page.getByText(`Signed in as ${ownerName}`).waitFor();
    await snap('signed-in-with-claims');

    const authorize = new URL(urls.find((url) => url.includes('/oauth/authorize?')) ?? '');
    expect(authorize.searchParams.get('scope')).toBe('openid profile email');
    const nonce = authorize.searchParams.get('nonce');
    expect(nonce).toMatch(/^[\w-]{43}$/);

    const claims = await tableOf(page, /ID token claims/);
    expect(claims).toMatchObject({
      iss: stack().url,
      sub: ownerId,
      aud: clientId,
      azp: clientId,
      email: OWNER.email,
      email_verified: 'true',
      name: ownerName,
      amr: 'pwd',
      nonce,
    });
    // Unix seconds shown as a date, within the last minutes.
    expect(claims.auth_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    const authTime = Date.parse((claims.auth_time ?? '').replace(' UTC', 'Z'));
    expect(Math.abs(Date.now() - authTime)).toBeLessThan(120_000);

    expect(await tableOf(page, /Userinfo/)).toMatchObject({ sub: ownerId, email: OWNER.email });
    expect(urls.some((url) => url.startsWith(`${stack().url}/oauth/userinfo`))).toBe(true);
    // No token in any URL, and nothing of the flow left in storage once it is used.
    expect(urls.filter((url) => /eyJ|srt_|sat_/.test(url))).toEqual([]);
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...sessionStorage, ...localStorage })',
    );
    expect(stored).not.toMatch(/eyJ|nonce|verifier/);
  });

  it('signs in nobody when the nonce it kept is not the one in the ID token', async () => {
    const { page, urls, visit, snap } = tab();
    await visit(spaWith(), 'spa');
    // Runs before app.js on the way back from Gatehouse: the nonce this tab kept changes.
    await page.addInitScript(`
      if (new URLSearchParams(location.search).has('code')) {
        const flow = JSON.parse(sessionStorage.getItem('gatehouse-spa.flow'));
        sessionStorage.setItem('gatehouse-spa.flow', JSON.stringify({ ...flow, nonce: 'tampered' }));
      }`);
    await signInThroughApp(page);
    await page.getByRole('alert').waitFor();
    await snap('nonce-refused');

    expect(await page.getByRole('alert').textContent()).toBe(
      'The ID token carries a nonce this tab did not send: nobody is signed in.',
    );
    expect(await page.getByRole('status').textContent()).toBe('Not signed in.');
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    // The code was traded (the ID token comes with it), but nothing was asked with its token.
    expect(urls.some((url) => url.includes('/oauth/token'))).toBe(true);
    expect(urls.some((url) => url.includes('/oauth/userinfo'))).toBe(false);
  });

  it("Sign out ends Gatehouse's session and lands back here, signed out", async () => {
    const { page, context, urls, visit, snap } = tab();
    await visit(spaWith(), 'spa');
    await signInThroughApp(page);
    await page.getByText(`Signed in as ${ownerName}`).waitFor();
    // The hosted session is alive: another tab of this browser opens the console directly.
    const other = await context.newPage();
    await other.goto(`${stack().url}/console`);
    expect(new URL(other.url()).pathname).toBe('/console');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href === spaUrl());
    await page.getByText('Signed out, here and at Gatehouse.').waitFor();
    await snap('signed-out');

    const logout = new URL(urls.find((url) => url.includes('/oauth/logout?')) ?? '');
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(spaUrl());
    expect(logout.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    const state = logout.searchParams.get('state');
    expect(state).toMatch(/^[\w-]{43}$/);
    expect(urls).toContain(`${spaUrl()}?state=${state}`);
    // The only token any URL carried is the protocol's own hint.
    expect(
      urls.filter((url) => /eyJ|srt_|sat_/.test(url) && !url.includes('/oauth/logout?')),
    ).toEqual([]);
    expect(await page.getByRole('table').count()).toBe(0);

    await other.goto(`${stack().url}/console`);
    expect(new URL(other.url()).pathname).toBe('/sign-in');
    // A fresh authorization request asks for the password again.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${stack().url}/sign-in?`));
    await snap('sign-in-again');
  });

  it('refuses a sign-out answer it did not ask for', async () => {
    const { page, visit } = tab();
    await visit(spaWith(), 'spa');
    await visit(`${spaUrl()}?state=not-ours`, 'forged-logout-answer');
    expect(await page.getByRole('alert').textContent()).toMatch(
      /sign-out answer was not asked for here/,
    );
    expect(page.url()).toBe(spaUrl());
  });
});
