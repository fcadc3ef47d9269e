import { describe, expect, it } from 'vitest';
import { totpCodeAt } from '../support/totp-codes';
import { OWNER, useBrowser } from './support/browser';

/** Two-factor authentication on the hosted pages, in chromium (API.md, MFA; lane mfa-pages). */
const { tab, call, signIn, stack } = useBrowser();

const PASSWORD = 'a member passphrase for mfa';

let n = 0;
const member = async () => {
  n++;
  const email = `mfa-${n}@browser.test`;
  const made = await call('POST', '/users', {
    token: await signIn(OWNER.email, OWNER.password),
    json: { email, password: PASSWORD, role: 'viewer' },
  });
  expect(made.status, made.text).toBe(201);
  return email;
};

describe('two-factor authentication', () => {
  it('enrols an app in the console, then signs in with the password and a code', async () => {
    const { context, page, visit, snap } = tab();
    const email = await member();
    const signInWithPassword = async () => {
      await visit('/sign-in?return_to=%2Fconsole', 'sign-in');
      await page.getByLabel('Email or username').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    };
    await signInWithPassword();
    await page.waitForURL(`${stack().url}/console`);
    await page.getByRole('link', { name: 'Add an authenticator app' }).click();
    await page.getByLabel('Name').fill('Phone');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Scan the QR code' }).waitFor();
    await snap('qr-code');
    expect(
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).count(),
    ).toBe(1);
    const secret = (await page.locator('#totp-secret').textContent()) ?? '';
    const confirmedAt = Date.now();
    await page.getByLabel('Code from the app').fill(totpCodeAt(secret, confirmedAt));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
    await snap('recovery-codes');
    const codes = ((await page.locator('#recovery-codes').textContent()) ?? '').trim().split('\n');
    expect(codes).toHaveLength(10);
    const download = page.getByRole('link', { name: 'Download' });
    expect(await download.getAttribute('download')).toBe('gatehouse-recovery-codes.txt');

    await visit('/console', 'factors-listed');
    expect(await page.getByRole('table', { name: 'Your second factors' }).textContent()).toContain(
      'Phone',
    );
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('button', { name: 'Sign out' })
      .click();
    await page.waitForURL((url) => url.pathname === '/sign-in');

    await signInWithPassword();
    await page.waitForURL((url) => url.pathname === '/sign-in/mfa');
    await snap('challenge');
    const cookies = await context.cookies();
    expect(cookies.some((c) => c.name === 'gatehouse_session')).toBe(false);
    expect(cookies.find((c) => c.name === 'gatehouse_mfa')?.httpOnly).toBe(true);

    // A code two minutes old is refused, with the page again.
    await page.getByLabel('Code').fill(totpCodeAt(secret, Date.now() - 120_000));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    await snap('wrong-code');
    expect(await page.getByRole('alert').textContent()).toContain('That code is not right.');

    await page
      .getByLabel('Code')
      .fill(totpCodeAt(secret, Math.max(Date.now(), confirmedAt + 30_000)));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${stack().url}/console`);
    await snap('signed-in-with-code');
    expect(await page.getByText('Signed in as').textContent()).toContain(email);

    // A recovery code signs in once; the second time it is refused.
    for (const expected of ['in', 'refused'] as const) {
      await context.clearCookies();
      await signInWithPassword();
      await page.waitForURL((url) => url.pathname === '/sign-in/mfa');
      await page.getByLabel('Code').fill(codes[0] as string);
      await page.getByRole('button', { name: 'Verify' }).click();
      if (expected === 'in') {
        await page.waitForURL(`${stack().url}/console`);
      } else {
        await page.getByRole('alert').waitFor();
        await snap('recovery-code-spent');
        expect(new URL(page.url()).pathname).toBe('/sign-in/mfa');
      }
    }
  });
});
