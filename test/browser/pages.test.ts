import { describe, expect, it } from 'vitest';
import { OWNER, type Tab, useBrowser } from './support/browser';

/** What every hosted page promises: its headers, CSRF, labels, keyboard use, small screens. */
const { tab, call, signIn, stack } = useBrowser();

const PUBLIC_PAGES = ['/sign-in', '/sign-up', '/forgot-password', '/reset-password'];
const CONSOLE_PAGES = ['/console', '/console/tokens', '/console/users', '/console/audit'];

let members = 0;
/** Another user's console page: the one with the edit, password and delete forms. */
const memberPage = async () => {
  const owner = await signIn(OWNER.email, OWNER.password);
  const created = await call('POST', '/users', {
    token: owner,
    json: { email: `member-${++members}@browser.test`, name: 'A Member', role: 'editor' },
  });
  expect(created.status, created.text).toBe(201);
  return `/console/users/${created.body.user.id}`;
};

/**
 * Form controls a screen reader could not name: no label (for= or around it), no aria-label.
 * In-page code is a string: this project's typecheck has no DOM library.
 */
const unlabelledControls = (page: Tab['page']) =>
  page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea')]
    .filter((control) => control.type !== 'hidden')
    .filter((control) => !control.labels.length && !control.hasAttribute('aria-label')
      && !control.hasAttribute('aria-labelledby'))
    .map((control) => control.outerHTML)`);

describe('security headers and CSRF', () => {
  it('serves every page with a strict CSP and no inline script', async () => {
    const { visit, signInAsOwner } = tab();
    const check = async (path: string) => {
      const response = await visit(path, path);
      expect(response.status(), path).toBe(200);
      const headers = response.headers();
      const csp = (headers['content-security-policy'] ?? '').split(/;\s*/);
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options'], path).toBe('DENY');
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>/gi)].map((match) => match[1] ?? '');
      expect(scripts.length, path).toBeGreaterThan(0);
      expect(
        scripts.filter((attributes) => !/\bsrc=/.test(attributes)),
        path,
      ).toEqual([]);
      expect(html, path).not.toMatch(/\son[a-z]+=/i); // no inline event handlers either
    };
    for (const path of PUBLIC_PAGES) await check(path);
    await signInAsOwner();
    for (const path of [...CONSOLE_PAGES, await memberPage()]) await check(path);
  });

  it('refuses a form post without the CSRF field, with a wrong one, or from another origin', async () => {
    const { page, visit, signInAsOwner } = tab();
    await signInAsOwner();
    await visit('/console/tokens', 'tokens');
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    expect(csrf).toMatch(/^[\w-]{43}$/);
    // page.request shares the browser's cookies: the session and the CSRF cookie go along.
    const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      page.request.post('/console/tokens', { form, headers, maxRedirects: 0 });

    const without = await post({ name: 'forged without' });
    expect(without.status()).toBe(403);
    expect(await without.text()).toContain('This form has expired or came from another site');
    expect((await post({ name: 'forged wrong', csrf: `${csrf.slice(0, 42)}x` })).status()).toBe(
      403,
    );
    const elsewhere = await post(
      { name: 'forged origin', csrf },
      { origin: 'https://attacker.example' },
    );
    expect(elsewhere.status()).toBe(403);
    // With the page's own field and origin, the same post goes through.
    const own = await post(
      { name: 'made here', csrf, once: 'a-fresh-one-time-value-1' },
      { origin: stack().url },
    );
    expect(own.status()).toBe(201);

    await visit('/console/tokens', 'after');
    const names = await page
      .getByRole('table')
      // Each token's name, in bold above its id.
      .locator('tbody tr td:first-child strong')
      .allTextContents();
    expect(names).toContain('made here');
    expect(names.filter((name) => name.startsWith('forged'))).toEqual([]);
  });
});

describe('accessibility', () => {
  it('labels every control of the sign-in, sign-up and console pages', async () => {
    const { page, visit, signInAsOwner } = tab();
    for (const path of PUBLIC_PAGES) {
      await visit(path, path);
      expect(await unlabelledControls(page), path).toEqual([]);
    }
    await signInAsOwner();
    for (const path of [...CONSOLE_PAGES, await memberPage()]) {
      await visit(path, path);
      expect(await unlabelledControls(page), path).toEqual([]);
    }
  });

  it('signs in with the keyboard alone', async () => {
    const { page, visit, snap } = tab();
    await visit('/sign-in', 'sign-in');
    const focused = () => page.evaluate<string>("document.activeElement?.id ?? ''");
    for (let presses = 0; presses < 5 && (await focused()) !== 'field-login'; presses++) {
      await page.keyboard.press('Tab');
    }
    expect(await focused()).toBe('field-login');
    await page.keyboard.type(OWNER.email);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('field-password');
    await page.keyboard.type(OWNER.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${stack().url}/console`);
    await snap('console');
  });
});

describe('small screens', () => {
  it('fits the console into a 375px-wide viewport with no sideways scroll', async () => {
    // A listed token: a table with rows is what overflows when anything does.
    const owner = await signIn(OWNER.email, OWNER.password);
    const made = await call('POST', '/tokens', {
      token: owner,
      json: { name: 'a token with a long name for the narrow screen', scopes: ['profile'] },
    });
    expect(made.status, made.text).toBe(201);
    const { page, visit, signInAsOwner } = tab();
    await page.setViewportSize({ width: 375, height: 812 });
    await signInAsOwner();
    for (const path of [...CONSOLE_PAGES, await memberPage()]) {
      await visit(path, `narrow ${path}`);
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(width, path).toBeLessThanOrEqual(375 + 1);
    }
  });
});
