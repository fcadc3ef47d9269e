import type { Cookie } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { defaultScopeCatalog } from '../../src/core/users/roles';
import { totpCodeAt } from '../support/totp-codes';
import { OWNER, type Tab, useBrowser } from './support/browser';
import {
  expectFitsEveryWidth,
  seriousAxeViolations,
  sidewaysOverflow,
} from './support/page-quality';

/**
 * Every console page, full of long values, at 375, 1280 and 1920 px in light and dark: no
 * sideways scroll, no serious axe violation; focus visible in the navigation; and the
 * helpers themselves caught failing on a page made to fail.
 */
const { tab, call, signIn, stack } = useBrowser();

const PASSWORD = 'a layout passphrase 1';
const VIEWER = `viewer-${'v'.repeat(50)}@browser.test`;
const LONG_LOCAL = `${'averylonglocalpart'.repeat(7)}`.slice(0, 120);
/** 400 characters of one user agent, without a space to break at for 300 of them. */
const LONG_AGENT = `Mozilla/5.0 (X11; Linux x86_64) ${'AppleWebKit/537.36-'.repeat(19)}`.padEnd(
  400,
  'x',
);
const APP = 'https://app.layout.test';
const LONG_URI = `${APP}/callback/${'segment-without-breaks-'.repeat(8)}end`;

interface Seeded {
  userPath: string;
  clientId: string;
}
let seeded: Promise<Seeded> | undefined;

/** Full tables and long values: long emails and names, tokens of every scope used by a long agent, a client with long URIs. */
const seed = () => {
  seeded ??= (async () => {
    const owner = await signIn(OWNER.email, OWNER.password);
    const user = async (json: Record<string, unknown>) => {
      const made = await call('POST', '/users', { token: owner, json });
      expect(made.status, made.text).toBe(201);
      return made.body.user as { id: string };
    };
    // A 120-character local part; the API caps a name at 100 characters: the longest it takes.
    const long = await user({
      email: `${LONG_LOCAL}@a-rather-long-subdomain.of-an-example-organisation.browser.test`,
      name: `${'Maximiliana Wolfeschlegelsteinhausenbergerdorff '.repeat(3)}`.slice(0, 100).trim(),
      role: 'editor',
    });
    await user({ email: VIEWER, password: PASSWORD, role: 'viewer', name: 'Vera Viewer' });
    for (let i = 0; i < 6; i++) {
      await user({ email: `member-${i}@browser.test`, name: `Member ${i}`, role: 'viewer' });
    }
    await user({ email: 'pending@browser.test', role: 'viewer', status: 'pending' });
    for (const json of [
      {
        name: `${'Nightly export pipeline with a long name '.repeat(2)}`.slice(0, 100).trim(),
        scopes: [...defaultScopeCatalog.owner],
      },
      { name: 'Unscoped laptop token' },
      { name: 'Short-lived', scopes: ['profile', 'audit:read'], expires_in: 3600, renewable: true },
    ]) {
      const made = await call('POST', '/tokens', { token: owner, json });
      expect(made.status, made.text).toBe(201);
      // Used from a long user agent, so its last use has one to show (once it is stamped).
      await call('GET', '/me', { token: made.body.token, headers: { 'user-agent': LONG_AGENT } });
    }
    const revoked = await call('POST', '/tokens', {
      token: owner,
      json: { name: 'Revoked one', scopes: ['profile'] },
    });
    await call('DELETE', `/tokens/${revoked.body.token_id}`, { token: owner });
    const client = await call('POST', '/clients', {
      token: owner,
      json: {
        name: 'An application with a long name for the layout test',
        redirect_uris: [LONG_URI, `${LONG_URI}/second`, `${APP}/cb`],
        post_logout_redirect_uris: [`${LONG_URI}/bye`],
        grant_types: ['authorization_code', 'refresh_token'],
        confidential: false,
      },
    });
    expect(client.status, client.text).toBe(201);
    return { userPath: `/console/users/${long.id}`, clientId: client.body.client_id };
  })();
  return seeded;
};

const signInAs = async (t: Tab, email: string, password: string) => {
  await t.page.goto('/sign-in');
  await t.page.getByLabel('Email or username').fill(email);
  await t.page.getByLabel('Password', { exact: true }).fill(password);
  await t.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await t.page.waitForURL(`${stack().url}/console`);
};

/**
 * Signed in through the hosted page once per person, then that session's cookie in each later
 * test's fresh context (a console visit neither rotates nor ends it): the pages are what is
 * measured here, not the sign-in (pages.test.ts and console.test.ts cover it).
 */
const sessions = new Map<string, Cookie[]>();
const signedInAs = async (t: Tab, email: string, password: string) => {
  const cookies = sessions.get(email);
  if (cookies) {
    await t.context.addCookies(cookies);
    return;
  }
  await signInAs(t, email, password);
  sessions.set(email, await t.context.cookies());
};

const OWNER_PAGES = [
  '/console',
  '/console/tokens',
  '/console/tokens?all=true',
  '/console/users',
  '/console/clients',
  '/console/audit',
  '/console/activity',
  '/console/lockouts',
  '/console/mfa/totp',
];
const VIEWER_PAGES = ['/console', '/console/tokens'];
/** The viewer's one token, so their tokens page has a row. */
let viewerToken: ReturnType<typeof call> | undefined;
/** Stands for the long-named user's page, whose id the seed makes. */
const USER_PAGE = '/console/users/{long-named user}';
/** Six loads, four axe runs and six screenshots a page, on a shared machine. */
const PAGE_TIMEOUT = 240_000;
const PUBLIC_PAGES = ['/sign-in', '/sign-up', '/forgot-password'];

describe('every page fits every width, in light and dark, with no serious axe violation', () => {
  /** Every listed page must answer 200 and pass: none is skipped. */
  const checkPage = (t: Tab, path: string, who: string) =>
    expectFitsEveryWidth(t, path, `${who} ${path}`);

  it.each([...OWNER_PAGES, USER_PAGE])(
    'as the owner: %s',
    { timeout: PAGE_TIMEOUT },
    async (listed) => {
      const { userPath } = await seed();
      const t = tab();
      await signedInAs(t, OWNER.email, OWNER.password);
      await checkPage(t, listed === USER_PAGE ? userPath : listed, 'owner');
    },
  );

  it.each(VIEWER_PAGES)('as a viewer: %s', { timeout: PAGE_TIMEOUT }, async (path) => {
    await seed();
    const t = tab();
    await signedInAs(t, VIEWER, PASSWORD);
    viewerToken ??= call('POST', '/tokens', {
      token: await signIn(VIEWER, PASSWORD),
      json: { name: 'viewer token', scopes: ['profile', 'tokens:read'] },
    });
    const made = await viewerToken;
    expect(made.status, made.text).toBe(201);
    await checkPage(t, path, 'viewer');
  });

  it('signed out: sign-in, sign-up and forgot-password; the consent page of a long-named app', {
    timeout: PAGE_TIMEOUT * 2,
  }, async () => {
    const { clientId } = await seed();
    const t = tab();
    for (const path of PUBLIC_PAGES) await checkPage(t, path, 'public');

    await signedInAs(t, VIEWER, PASSWORD);
    const authorize = `/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: LONG_URI,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      scope: 'openid profile email tokens:read',
      state: 'layout',
    })}`;
    await t.page.goto(authorize);
    expect(new URL(t.page.url()).pathname).toBe('/consent');
    await expectFitsEveryWidth(t, authorize, 'consent');
  });

  it('the MFA challenge page', { timeout: PAGE_TIMEOUT }, async () => {
    await seed();
    const email = 'mfa-layout@browser.test';
    const made = await call('POST', '/users', {
      token: await signIn(OWNER.email, OWNER.password),
      json: { email, password: PASSWORD, role: 'viewer' },
    });
    expect(made.status, made.text).toBe(201);
    const own = await signIn(email, PASSWORD);
    const started = await call('POST', '/me/mfa/totp', {
      token: own,
      json: { password: PASSWORD },
    });
    expect(started.status, started.text).toBe(201);
    const confirmed = await call('POST', `/me/mfa/totp/${started.body.factor_id}/confirm`, {
      token: own,
      json: { code: totpCodeAt(started.body.secret, Date.now()) },
    });
    expect(confirmed.status, confirmed.text).toBe(200);
    const t = tab();
    await t.page.goto('/sign-in');
    await t.page.getByLabel('Email or username').fill(email);
    await t.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await t.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await t.page.waitForURL((url) => url.pathname === '/sign-in/mfa');
    await expectFitsEveryWidth(
      t,
      new URL(t.page.url()).pathname + new URL(t.page.url()).search,
      'mfa-challenge',
    );
  });
});

describe('the layout at work', () => {
  it('stacks a table into labelled blocks on a phone, and keeps it a table on a desktop', async () => {
    await seed();
    const t = tab();
    await signedInAs(t, OWNER.email, OWNER.password);
    const cellLook = () =>
      t.page.evaluate<{ display: string; label: string }>(`(() => {
        const cell = document.querySelector('table.stack tbody td[data-label="Status"]');
        return { display: getComputedStyle(cell).display, label: getComputedStyle(cell, '::before').content };
      })()`);
    await t.page.setViewportSize({ width: 375, height: 800 });
    await t.visit('/console/tokens', 'tokens-phone');
    expect(await cellLook()).toEqual({ display: 'block', label: '"Status"' });
    await t.page.setViewportSize({ width: 1280, height: 800 });
    await t.visit('/console/tokens', 'tokens-desktop');
    expect((await cellLook()).display).toBe('table-cell');
    // Scopes in words, and the current page marked in the navigation.
    await t.page.getByText('Read the audit log').first().waitFor();
    expect(
      await t.page
        .getByRole('navigation', { name: 'Console' })
        .locator('[aria-current="page"]')
        .textContent(),
    ).toBe('Tokens');
  });

  it('shows a visible focus outline on each element of the navigation, in both schemes', async () => {
    const t = tab();
    await signedInAs(t, OWNER.email, OWNER.password);
    for (const scheme of ['light', 'dark'] as const) {
      await t.page.emulateMedia({ colorScheme: scheme });
      await t.page.goto('/console');
      const seen: string[] = [];
      // Skip link, brand, each navigation link and Sign out: the header's stops, in order.
      for (let stop = 0; stop < 10; stop++) {
        await t.page.keyboard.press('Tab');
        const focus = await t.page.evaluate<{
          name: string;
          style: string;
          width: string;
          color: string;
        }>(`(() => {
          const element = document.activeElement;
          const style = getComputedStyle(element);
          return { name: element.textContent.trim(), style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor };
        })()`);
        seen.push(focus.name);
        expect(focus.style, `${focus.name} (${scheme})`).toBe('solid');
        expect(focus.width, `${focus.name} (${scheme})`).toBe('3px');
        expect(focus.color, `${focus.name} (${scheme})`).not.toMatch(/rgba\(.*, 0\)|transparent/);
      }
      await t.snap(`focus-${scheme}`);
      expect(seen).toEqual([
        'Skip to the content',
        'Gatehouse',
        'Dashboard',
        'Users',
        'Lockouts',
        'Audit log',
        'Clients',
        'Tokens',
        'Your account',
        'Sign out',
      ]);
    }
    // The skip link leads to the main content.
    await t.page.goto('/console');
    await t.page.keyboard.press('Tab');
    await t.page.keyboard.press('Enter');
    expect(new URL(t.page.url()).hash).toBe('#main');
  });
});

describe('the page-quality helpers', () => {
  it('report a page that overflows sideways and one with serious accessibility failures', async () => {
    const { page } = tab();
    // A page made to fail, without the service's CSP: inline styles are how it fails.
    await page.setViewportSize({ width: 375, height: 600 });
    await page.setContent(`<!doctype html><html lang="en"><head><title>Broken</title></head><body>
      <main><h1>Broken</h1>
      <div style="width: 900px">A wide box</div>
      <div class="scroller" style="overflow-x: auto; width: 200px"><div style="width: 600px">wide content</div></div>
      <div style="overflow: hidden; text-overflow: ellipsis; white-space: nowrap; width: 100px">a value cut on purpose, which is fine</div>
      <label>A field with a long value, which scrolls inside itself <input value="${'long value '.repeat(60)}"></label>
      <button></button>
      <p style="color: #999; background: #aaa">Grey on grey</p>
      </main></body></html>`);
    const overflow = await sidewaysOverflow(page);
    expect(overflow).toEqual([expect.stringMatching(/^page by \d+px$/), 'div.scroller by 400px']);
    const violations = (await seriousAxeViolations(page)).map((v) => v.id).sort();
    expect(violations).toEqual(['button-name', 'color-contrast']);

    // The same page mended passes both.
    await page.setContent(`<!doctype html><html lang="en"><head><title>Mended</title></head><body>
      <main><h1>Mended</h1><button>Go</button><p>Readable</p></main></body></html>`);
    expect(await sidewaysOverflow(page)).toEqual([]);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
