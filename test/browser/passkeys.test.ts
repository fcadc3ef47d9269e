import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { firstPartyApp, pkcePair } from '../support/oauth';
import {
  addVirtualAuthenticator,
  type VirtualAuthenticator,
} from '../support/virtual-authenticator';
import { OWNER, useBrowser } from './support/browser';

/**
 * Passkeys and security keys on the hosted pages, in chromium with the DevTools protocol's
 * virtual authenticator (API.md, MFA). The stack's issuer is http://localhost:<port>, so the
 * relying party id is `localhost` (chromium refuses WebAuthn for IP addresses).
 */
// Every factor change asks for a proof here (a session is "recent" for one second only).
const { tab, call, signIn, stack, tokenEndpoint, registerClient } = useBrowser({
  REAUTH_MAX_AGE_SECONDS: '1',
});

const PASSWORD = 'a member passphrase for passkeys';

let n = 0;
/** The members made, by email: their ids. */
const ids = new Map<string, string>();
const member = async () => {
  n++;
  const email = `passkey-${n}@browser.test`;
  const made = await call('POST', '/users', {
    token: await signIn(OWNER.email, OWNER.password),
    json: { email, password: PASSWORD, role: 'viewer' },
  });
  expect(made.status, made.text).toBe(201);
  ids.set(email, made.body.user.id);
  return email;
};

const signInWithPassword = async (page: Page, email: string) => {
  await page.goto('/sign-in?return_to=%2Fconsole');
  await page.getByLabel('Email or username').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
};

const onConsole = (page: Page) => page.waitForURL(`${stack().url}/console`);

const signOut = async (page: Page) => {
  await page
    .getByRole('navigation', { name: 'Console' })
    .getByRole('button', { name: 'Sign out' })
    .click();
  await page.waitForURL((url) => url.pathname === '/sign-in');
};

/** Signs in with the password and adds a passkey named `name` in the console. */
const registerPasskey = async (
  page: Page,
  authenticator: VirtualAuthenticator,
  email: string,
  name: string,
) => {
  await signInWithPassword(page, email);
  await onConsole(page);
  await page.getByRole('link', { name: 'Add a passkey or security key' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password or a code from your app').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  await authenticator.answerOnce(() =>
    page.getByRole('button', { name: 'Create the passkey' }).click(),
  );
  await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
};

/** "Sign in with a passkey" on the sign-in page (the login field's autofill left waiting). */
const passwordless = async (page: Page, authenticator: VirtualAuthenticator) => {
  await page.goto('/sign-in?return_to=%2Fconsole');
  await authenticator.answerOnce(() =>
    page.getByRole('button', { name: 'Sign in with a passkey' }).click(),
  );
};

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString());

describe('passkeys on the hosted pages', () => {
  it('registers a passkey in the console, then signs in with the password and the passkey', async () => {
    const { context, page, snap } = tab();
    const authenticator = await addVirtualAuthenticator(page);
    const email = await member();
    await registerPasskey(page, authenticator, email, 'Laptop');
    await snap('recovery-codes');
    const codes = ((await page.locator('#recovery-codes').textContent()) ?? '').trim().split('\n');
    expect(codes).toHaveLength(10);
    expect(await authenticator.credentials()).toHaveLength(1);

    await page.goto('/console');
    const factors = page.getByRole('table', { name: 'Your second factors' });
    expect(await factors.textContent()).toContain('Laptop');
    expect(await factors.textContent()).toContain('Passkey or security key');
    await snap('factors-listed');
    await signOut(page);

    await signInWithPassword(page, email);
    await page.waitForURL((url) => url.pathname === '/sign-in/mfa');
    await snap('challenge');
    expect((await context.cookies()).some((cookie) => cookie.name === 'gatehouse_session')).toBe(
      false,
    );
    // The code form stays there for an app or a recovery code.
    expect(await page.getByLabel('Code').count()).toBe(1);
    await authenticator.answerOnce(() =>
      page.getByRole('button', { name: 'Use your passkey or security key' }).click(),
    );
    await onConsole(page);
    await snap('signed-in-with-passkey');
    expect(await page.getByText('Signed in as').textContent()).toContain(email);
    const [credential] = await authenticator.credentials();
    expect(credential?.signCount).toBeGreaterThan(0);
  });

  it('signs a relying party in without a password: amr hwk and mfa', async () => {
    const { page, snap } = tab();
    const authenticator = await addVirtualAuthenticator(page);
    const email = await member();
    await registerPasskey(page, authenticator, email, 'Phone');
    await page.goto('/console');
    await signOut(page);

    const redirectUri = `${stack().url}/console`;
    const app = await registerClient(
      await signIn(OWNER.email, OWNER.password),
      firstPartyApp('passkey app', redirectUri),
    );
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: redirectUri,
      scope: 'openid profile',
      state: 'passkey-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await page.goto(`/oauth/authorize?${query}`);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await snap('sign-in-for-app');
    await authenticator.answerOnce(() =>
      page.getByRole('button', { name: 'Sign in with a passkey' }).click(),
    );
    await page.waitForURL((url) => url.pathname === '/console' && url.searchParams.has('code'));
    const answered = new URL(page.url());
    expect(answered.searchParams.get('state')).toBe('passkey-state');
    const tokens = await tokenEndpoint({
      grant_type: 'authorization_code',
      code: answered.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      client_id: app.client_id,
      code_verifier: verifier,
    });
    expect(tokens.status, tokens.text).toBe(200);
    const claims = claimsOf(tokens.body.access_token);
    expect([...claims.amr].sort()).toEqual(['hwk', 'mfa']);
    expect(claims.email).toBe(email);
  });

  it('refuses a cloned credential whose counter is behind the original’s', async () => {
    const { context, page, snap } = tab();
    const original = await addVirtualAuthenticator(page);
    const email = await member();
    await registerPasskey(page, original, email, 'Original');
    const [copied] = await original.credentials();
    if (!copied) throw new Error('The authenticator holds no credential.');
    await page.goto('/console');
    await signOut(page);
    // The original signs in, and so moves the counter past the copy's.
    await passwordless(page, original);
    await onConsole(page);
    await signOut(page);

    const other = await context.newPage();
    const clone = await addVirtualAuthenticator(other);
    await clone.addCredential(copied);
    await passwordless(other, clone);
    await other.getByRole('alert').waitFor();
    await other.screenshot({ path: 'test/browser/screenshots/passkeys-clone-refused.png' });
    expect(await other.getByRole('alert').textContent()).toBe('That passkey was not accepted.');
    expect(new URL(other.url()).pathname).toBe('/sign-in/passkey');
    expect((await context.cookies()).some((c) => c.name === 'gatehouse_session')).toBe(false);
    await other.close();
    // Refused for its counter: the signature was good, the count was not ahead.
    const audit = await call('GET', `/audit?action=auth.sign_in&target_id=${ids.get(email)}`, {
      token: await signIn(OWNER.email, OWNER.password),
    });
    const refusals = audit.body.events.filter(
      (event: { outcome: string; detail: { method?: string } }) =>
        event.outcome === 'failure' && event.detail.method === 'passkey',
    );
    expect(refusals.map((event: { detail: { reason: string } }) => event.detail.reason)).toEqual([
      'counter_stale',
    ]);

    // The original still works.
    await passwordless(page, original);
    await onConsole(page);
    await snap('original-still-works');
  });

  it('stops accepting a passkey once it is removed', async () => {
    const { page, snap } = tab();
    const authenticator = await addVirtualAuthenticator(page);
    const email = await member();
    await registerPasskey(page, authenticator, email, 'Old key');
    await page.goto('/console');
    page.on('dialog', (dialog) => void dialog.accept());
    const row = page.getByRole('row', { name: /Old key/ });
    // The session is past REAUTH_MAX_AGE_SECONDS: Remove alone is refused...
    await page.waitForTimeout(1_100);
    await row.getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL((url) => url.pathname.endsWith('/remove'));
    await snap('remove-without-proof');
    expect(await page.getByRole('alert').textContent()).toMatch(/second factor|proof|password/i);
    // ...and the key itself is a proof (a step-up assertion).
    await page.goto('/console');
    await authenticator.answerOnce(() =>
      row.getByRole('button', { name: 'Confirm with your passkey or security key' }).click(),
    );
    await page.waitForURL((url) => url.searchParams.get('notice') === 'factor_removed');
    await snap('removed');
    await signOut(page);

    await passwordless(page, authenticator);
    await page.getByRole('alert').waitFor();
    await snap('removed-key-refused');
    expect(await page.getByRole('alert').textContent()).toBe('That passkey was not accepted.');
    expect(new URL(page.url()).pathname).toBe('/sign-in/passkey');
    // Without a factor, the password alone signs in again.
    await signInWithPassword(page, email);
    await onConsole(page);
  });

  it('offers the passkey in the login field’s autofill (conditional mediation)', async () => {
    const { page } = tab();
    const authenticator = await addVirtualAuthenticator(page, { autofill: true });
    const email = await member();
    await registerPasskey(page, authenticator, email, 'Autofill');
    await page.goto('/console');
    await signOut(page);
    expect(await page.getByLabel('Email or username').getAttribute('autocomplete')).toBe(
      'username webauthn',
    );
    // A real browser waits for the person to pick the passkey in the field's list; the
    // virtual authenticator picks it as the page loads. Leave this sign-in page first: its own
    // autofill request is waiting, and answering it would race the navigation below.
    await page.goto('about:blank');
    await authenticator.answerAlways();
    await page.goto('/sign-in?return_to=%2Fconsole');
    await onConsole(page);
    expect(await page.getByText('Signed in as').textContent()).toContain(email);
  });

  it('keeps the key buttons hidden in a browser without WebAuthn, and the console says why', async () => {
    const { page, snap } = tab();
    await page.addInitScript('delete window.PublicKeyCredential;');
    const email = await member();
    await signInWithPassword(page, email);
    await onConsole(page);
    await page.getByRole('link', { name: 'Add a passkey or security key' }).click();
    await page.getByLabel('Name').fill('Nothing');
    await page.getByLabel('Password or a code from your app').fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('This browser cannot use passkeys or security keys.').waitFor();
    await snap('no-webauthn');
    expect(await page.getByRole('button', { name: 'Create the passkey' }).isVisible()).toBe(false);
    await page.goto('/sign-in');
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible()).toBe(
      false,
    );
    expect(await page.getByRole('status').count()).toBe(0);
  });
});
