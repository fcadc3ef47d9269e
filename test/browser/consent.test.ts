import { beforeAll, describe, expect, it } from 'vitest';
import { OWNER, useBrowser } from './support/browser';

/** The consent page in a real browser: Allow, Deny, and the console's App grants. */
const { tab, call, signIn } = useBrowser();

const APP = 'https://third.example.test';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
let clientId: string;

beforeAll(async () => {
  const owner = await signIn(OWNER.email, OWNER.password);
  const created = await call('POST', '/clients', {
    token: owner,
    json: {
      name: 'Third App',
      redirect_uris: [`${APP}/cb`],
      grant_types: ['authorization_code'],
      confidential: false,
    },
  });
  expect(created.status, created.text).toBe(201);
  clientId = created.body.client_id;
});

const authorizePath = (extra: Record<string, string> = {}) =>
  `/oauth/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: `${APP}/cb`,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    state: 'st-b',
    ...extra,
  })}`;

describe('the consent page', () => {
  it('Allow sends a code back; Deny sends access_denied; the console lists and revokes the grant', async () => {
    const { page, visit, snap, signInAsOwner } = tab();
    // The third-party app itself is not running: the browser's arrival there is the answer.
    await page.route(`${APP}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/plain', body: 'app' }),
    );
    await signInAsOwner();
    await visit(authorizePath({ scope: 'openid users:write' }), 'consent');
    expect(new URL(page.url()).pathname).toBe('/consent');
    await page.getByRole('heading', { name: 'Allow Third App?' }).waitFor();
    await page.getByText('Create, change and delete user accounts').waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.origin === APP);
    const allowed = new URL(page.url());
    expect(allowed.searchParams.get('code')).toMatch(/^ac_/);
    expect(allowed.searchParams.get('state')).toBe('st-b');

    await visit(authorizePath({ prompt: 'consent' }), 'consent-again');
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((url) => url.origin === APP);
    const denied = new URL(page.url());
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('st-b');

    await visit('/console', 'console-grants');
    const row = page.getByRole('row', { name: /Third App/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('users:write');
    page.on('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Access revoked.').waitFor();
    await snap('revoked');
    expect(await page.getByRole('row', { name: /Third App/ }).count()).toBe(0);
  });
});
