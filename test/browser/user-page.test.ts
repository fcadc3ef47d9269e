import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { totpCodeAt } from '../support/totp-codes';
import { OWNER, useBrowser } from './support/browser';
import { expectFitsEveryWidth } from './support/page-quality';

/** The user page and the lockouts view in chromium: every width, keyboard only, role rules. */
const { tab, call, signIn, stack, tables } = useBrowser({
  RATE_LIMIT_PER_IP: '0',
  LOCKOUT_THRESHOLD: '3',
});

const PASSWORD = 'a person lane member passphrase';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';

let ownerToken: string;
let member: { id: string; email: string };

const signInAs = async (email: string, password: string, userAgent: string) => {
  const reply = await call('POST', '/auth/sign-in', {
    json: { login: email, password },
    headers: { 'user-agent': userAgent },
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.body as { access_token: string; refresh_token: string };
};

/** A member with every section filled: sessions, a token, a factor, an identity, a grant. */
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  const email = `m${randomUUID().slice(0, 8)}@person.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: {
      email,
      name: 'Mina Member',
      role: 'editor',
      password: PASSWORD,
      identities: [{ provider: 'corp', subject: 'mina-at-corp-with-a-long-subject-0123456789' }],
    },
  });
  expect(made.status, made.text).toBe(201);
  member = { id: made.body.user.id, email };
  const own = await signInAs(email, PASSWORD, FIREFOX);
  expect(
    (await call('POST', '/auth/refresh', { json: { refresh_token: own.refresh_token } })).status,
  ).toBe(200);
  const token = await call('POST', '/tokens', {
    token: own.access_token,
    json: { name: 'reports export', scopes: ['profile', 'tokens:read'] },
  });
  expect(token.status, token.text).toBe(201);
  const started = await call('POST', '/me/mfa/totp', {
    token: own.access_token,
    json: { password: PASSWORD },
  });
  expect(started.status, started.text).toBe(201);
  const confirmed = await call('POST', `/me/mfa/totp/${started.body.factor_id}/confirm`, {
    token: own.access_token,
    json: { code: totpCodeAt(started.body.secret, Date.now()) },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  const client = await call('POST', '/clients', {
    token: ownerToken,
    json: {
      name: 'Partner dashboard',
      redirect_uris: ['https://partner.example/cb'],
      grant_types: ['authorization_code'],
      confidential: true,
      first_party: false,
    },
  });
  expect(client.status, client.text).toBe(201);
  // No route grants a consent without a browser round trip: seeded as the consent page would.
  const store = createDynamoStore(
    createDocumentClient(createDynamoClient({ endpoint: stack().dynamoEndpoint })),
    tables,
  );
  await store.grantConsent({
    userId: member.id,
    clientId: client.body.client_id,
    scopes: ['profile', 'email'],
    grantedAt: Date.now(),
  });
});

const signInOwnerTab = async () => {
  const current = tab();
  await current.signInAsOwner();
  return current;
};

describe('the user page', () => {
  it('fits every width with every section filled', async () => {
    const current = await signInOwnerTab();
    await expectFitsEveryWidth(current, `/console/users/${member.id}`, 'user-page');
    const text = (await current.page.locator('main').textContent()) ?? '';
    for (const shown of [
      'Firefox on Linux',
      'reports export',
      'Authenticator app',
      'mina-at-corp',
      'Partner dashboard',
      'auth.sign_in',
    ]) {
      expect(text).toContain(shown);
    }
  });

  it('is usable by keyboard alone: Sign out on a session, then a role change', async () => {
    const current = await signInOwnerTab();
    const { page } = current;
    await page.goto(`/console/users/${member.id}`);
    const visibleFocus = () =>
      page.evaluate(`(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      })()`);
    /** Tabs until `accept` says the focused element is the one; checks focus order and looks. */
    const tabTo = async (accept: string) => {
      await page.evaluate('window.__lastFocus = null');
      for (let step = 0; step < 120; step++) {
        await page.keyboard.press('Tab');
        expect(await visibleFocus(), `focus visible at step ${step}`).toBe(true);
        // The order follows the page: each stop comes after the one before.
        expect(
          await page.evaluate(`(() => {
            const el = document.activeElement, last = window.__lastFocus;
            window.__lastFocus = el;
            return !last || Boolean(last.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
          })()`),
          `focus order at step ${step}`,
        ).toBe(true);
        if (
          await page.evaluate(`(() => { const el = document.activeElement; return ${accept}; })()`)
        ) {
          return;
        }
      }
      throw new Error(`never reached ${accept}`);
    };
    await tabTo(`(el.getAttribute('aria-label') || '').startsWith('Sign out Firefox on Linux')`);
    const sessionsBefore = await page.locator('#sessions-heading ~ div tbody tr').count();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('notice') === 'signedOut');
    await current.snap('signed-out-one');
    expect(await page.locator('#sessions-heading ~ div tbody tr').count()).toBe(sessionsBefore - 1);
    await tabTo(`el.id === 'edit-role'`);
    // A select's options are chosen with the arrow keys (Space opens it, Enter picks).
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#edit-role').inputValue()).toBe('admin');
    await tabTo(`el.textContent === 'Save changes'`);
    await page.keyboard.press('Space');
    await page.waitForURL((url) => url.searchParams.get('notice') === 'saved');
    await current.snap('role-changed');
    expect((await page.locator('main').textContent()) ?? '').toContain('Role: admin');
    // Back to editor for the other tests, through the API.
    const back = await call('PATCH', `/users/${member.id}`, {
      token: ownerToken,
      json: { role: 'editor' },
    });
    expect(back.status, back.text).toBe(200);
  });

  it('shows an admin no owner-only buttons', async () => {
    const email = `a${randomUUID().slice(0, 8)}@person.test`;
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { email, role: 'admin', password: PASSWORD },
    });
    expect(made.status, made.text).toBe(201);
    const { page, snap } = tab();
    await page.goto('/sign-in');
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/console');
    const owner = (await call('GET', '/me', { token: ownerToken })).body.user.id as string;
    await page.goto(`/console/users/${owner}`);
    await snap('admin-on-owner');
    for (const name of [
      'Delete user',
      'Unlink',
      'Sign out everywhere',
      'Clear factors',
      'Save changes',
    ]) {
      expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    }
    await page.goto(`/console/users/${member.id}`);
    await snap('admin-on-editor');
    expect(await page.getByRole('button', { name: 'Delete user' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save changes' }).count()).toBe(1);
  });
});

describe('the lockouts view', () => {
  it('fits every width with a lock listed', async () => {
    for (let i = 0; i < 3; i++) {
      await call('POST', '/auth/sign-in', {
        json: { login: 'nobody-at-all@person.test', password: 'not a password!' },
      });
    }
    const current = await signInOwnerTab();
    await expectFitsEveryWidth(current, '/console/lockouts', 'lockouts');
    // A login that names nobody is shown masked only (it may be a typed password).
    const main = (await current.page.locator('main').textContent()) ?? '';
    expect(main).toContain('no…@person.test');
    expect(main).not.toContain('nobody-at-all@person.test');
  });
});
