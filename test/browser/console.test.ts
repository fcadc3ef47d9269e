import { describe, expect, it } from 'vitest';
import { OWNER, useBrowser } from './support/browser';

/** The hosted sign-in and the console, driven through chromium as a person would. */
const { tab, call, signIn, stack } = useBrowser();

const MEMBER_PASSWORD = 'a member passphrase 1';

describe('signing in and out', () => {
  it('shows a wrong password as an alert, then signs the owner in to /console', async () => {
    const { page, visit, snap } = tab();
    await visit('/sign-in', 'sign-in');
    await page.getByLabel('Email or username').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill('not the owner passphrase');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    await snap('wrong-password');
    expect(await refusal.textContent()).toMatch(/login or password is incorrect/i);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    // The login stays filled in; the password does not.
    expect(await page.getByLabel('Email or username').inputValue()).toBe(OWNER.email);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');

    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${stack().url}/console`);
    await snap('console');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
    expect(await page.getByText('Signed in as').textContent()).toContain(OWNER.email);
  });

  it('sends a signed-out visit of /console to sign in, and back to /console after', async () => {
    const { page, visit, snap } = tab();
    await visit('/console', 'signed-out');
    const landed = new URL(page.url());
    expect(landed.pathname + landed.search).toBe('/sign-in?return_to=%2Fconsole');
    await page.getByLabel('Email or username').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${stack().url}/console`);
    await snap('back-at-console');
  });

  it('signs out from the nav, ends the session, and /console asks to sign in again', async () => {
    const { context, page, visit, snap, signInAsOwner } = tab();
    await signInAsOwner();
    const session = (await context.cookies()).find((c) => c.name === 'gatehouse_session');
    expect(session?.httpOnly).toBe(true);

    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('button', { name: 'Sign out' })
      .click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await snap('signed-out');
    expect(await page.getByRole('status').textContent()).toContain('You are signed out.');
    expect((await context.cookies()).some((c) => c.name === 'gatehouse_session')).toBe(false);

    await visit('/console', 'console-again');
    expect(page.url()).toBe(`${stack().url}/sign-in?return_to=%2Fconsole`);
    // The old cookie, put back, is a revoked session: still no console.
    if (session) await context.addCookies([session]);
    await visit('/console', 'old-cookie');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });
});

describe('users', () => {
  it('adds a user with the add form, lists them and finds them by search', async () => {
    const { page, visit, snap, signInAsOwner } = tab();
    await signInAsOwner();
    await visit('/console/users', 'users');
    const add = page.getByRole('region', { name: 'Add a user' });
    await add.getByLabel('Email').fill('ada@browser.test');
    await add.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
    await add.getByLabel('Role').selectOption('editor');
    await add.getByLabel('Password').fill(MEMBER_PASSWORD);
    await add.getByRole('button', { name: 'Add user' }).click();
    await page.waitForURL(/\/console\/users\/[^/?]+\?notice=created$/);
    await snap('added');
    expect(await page.getByRole('status').textContent()).toContain('User added.');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('ada@browser.test');

    await visit('/console/users', 'list');
    const table = page.getByRole('table', { name: 'Users' });
    const row = table.getByRole('row').filter({ hasText: 'ada@browser.test' });
    expect(await row.count()).toBe(1);
    expect(await row.getByRole('cell').allTextContents()).toEqual(
      expect.arrayContaining(['Ada Lovelace', 'editor', 'active']),
    );
    expect(await table.getByRole('row').filter({ hasText: OWNER.email }).count()).toBe(1);

    const search = page.getByRole('search', { name: 'Find users' });
    await search.getByLabel('Search').fill('ada');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(
      (url) => url.pathname === '/console/users' && url.search.includes('q=ada'),
    );
    await snap('search');
    const body = page.getByRole('table', { name: 'Users' }).locator('tbody tr');
    expect(await body.count()).toBe(1);
    expect(await body.textContent()).toContain('ada@browser.test');
    // The API agrees the user is there, as the form made them.
    const owner = await signIn(OWNER.email, OWNER.password);
    const listed = await call('GET', '/users?q=ada', { token: owner });
    expect(listed.body.users).toMatchObject([
      { email: 'ada@browser.test', role: 'editor', name: 'Ada Lovelace' },
    ]);
    expect(await signIn('ada@browser.test', MEMBER_PASSWORD)).toEqual(expect.any(String));
  });

  it('approves a pending user', async () => {
    const owner = await signIn(OWNER.email, OWNER.password);
    const email = 'waiting@browser.test';
    const created = await call('POST', '/users', {
      token: owner,
      json: { email, role: 'viewer', status: 'pending', password: MEMBER_PASSWORD },
    });
    expect(created.status, created.text).toBe(201);
    const refused = await call('POST', '/auth/sign-in', {
      json: { login: email, password: MEMBER_PASSWORD },
    });
    expect(refused.body.error.code).toBe('account_pending');

    const { page, visit, snap, signInAsOwner } = tab();
    await signInAsOwner();
    await visit('/console/users?status=pending', 'pending');
    const row = page.getByRole('row').filter({ hasText: email });
    expect(await row.getByText('pending', { exact: true }).count()).toBe(1);
    await row.getByRole('button', { name: `Approve ${email}` }).click();
    await page.waitForURL((url) => url.search === '?notice=approved');
    await snap('approved');
    expect(await page.getByRole('status').textContent()).toContain('User approved');

    const after = await call('GET', `/users/${created.body.user.id}`, { token: owner });
    expect(after.body.user.status).toBe('active');
    expect(await signIn(email, MEMBER_PASSWORD)).toEqual(expect.any(String));
  });
});

describe('API tokens', () => {
  it('creates a scoped token, shows its secret once, copies it, and revokes it', async () => {
    const { context, page, visit, snap, signInAsOwner } = tab();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: stack().url,
    });
    await signInAsOwner();
    await visit('/console/tokens', 'tokens');
    const form = page.getByRole('region', { name: 'New token' });
    await form.getByLabel('Name', { exact: true }).fill('ci pipeline');
    await form.getByLabel('profile', { exact: true }).check();
    await form.getByRole('button', { name: 'Create token' }).click();
    const secretCode = page.locator('#new-token');
    await secretCode.waitFor();
    await snap('created');
    const secret = ((await secretCode.textContent()) ?? '').trim();
    expect(secret).toMatch(/^sat_[\w-]{49}$/);
    expect(await page.getByRole('status').textContent()).toContain('shown this once');

    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    await snap('copied');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);

    // The secret is a working bearer, narrowed to the scope ticked.
    const me = await call('GET', '/me', { token: secret });
    expect(me.status, me.text).toBe(200);
    expect(me.body.user.email).toBe(OWNER.email);
    expect((await call('GET', '/users', { token: secret })).status).toBe(403);

    // Shown once: the tokens page lists the token, never its secret again.
    await visit('/console/tokens', 'listed');
    expect(await page.content()).not.toContain(secret);
    expect(await page.locator('#new-token').count()).toBe(0);
    const row = page.getByRole('row').filter({ hasText: 'ci pipeline' });
    // The scope in words beside its name.
    expect(await row.getByRole('cell').allTextContents()).toContain(
      'profile: See your name and username',
    );

    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.waitForURL((url) => url.searchParams.get('notice') === 'token_revoked');
    await snap('revoked');
    expect(dialogs).toEqual([expect.stringMatching(/^Revoke this token\?/)]);
    const revokedRow = page.getByRole('row').filter({ hasText: 'ci pipeline' });
    expect(await revokedRow.count()).toBe(1);
    expect(await revokedRow.textContent()).toMatch(/revoked/i);
    expect(await revokedRow.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect((await call('GET', '/me', { token: secret })).status).toBe(401);
  });
});
