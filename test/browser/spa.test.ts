import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSpaServer } from '../../examples/spa/serve';
import { OWNER, useBrowser } from './support/browser';

/** examples/spa against the local service: the code flow with PKCE, in a real browser. */
const { tab, call, signIn, stack } = useBrowser();

let spa: Awaited<ReturnType<typeof startSpaServer>> | undefined;
beforeAll(async () => {
  spa = await startSpaServer(0);
});
afterAll(async () => {
  await spa?.close();
});

/** The owner's display name: the app greets the ID token's `name`. */
const ownerName = async (): Promise<string> => {
  const owner = await signIn(OWNER.email, OWNER.password);
  return (await call('GET', '/me', { token: owner })).body.user.name;
};

/** A public code-flow client whose one redirect URI is the sample app's page. */
const registerSpa = async (): Promise<string> => {
  const owner = await signIn(OWNER.email, OWNER.password);
  const created = await call('POST', '/clients', {
    token: owner,
    json: {
      name: 'sample spa',
      redirect_uris: [spa?.url],
      grant_types: ['authorization_code'],
      confidential: false,
      // First-party: no consent page in this flow (test/browser/consent.test.ts has that).
      first_party: true,
    },
  });
  expect(created.status, created.text).toBe(201);
  return created.body.client_id;
};

const spaWith = (clientId: string) =>
  `${spa?.url}?${new URLSearchParams({ gatehouse: stack().url, client_id: clientId })}`;

describe('the sample single-page app', () => {
  it('signs in through Gatehouse with no token in any URL, and drops ?code', async () => {
    const clientId = await registerSpa();
    const { page, urls, visit, snap } = tab();
    await visit(spaWith(clientId), 'spa');
    expect(await page.getByRole('status').textContent()).toBe('Not signed in.');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${stack().url}/sign-in?`));
    await snap('gatehouse-sign-in');
    await page.getByLabel('Email or username').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.href.startsWith(spa?.url ?? '-'));
    await page.getByText(`Signed in as ${await ownerName()}`).waitFor();
    await snap('signed-in');

    expect(page.url()).toBe(spa?.url);
    expect(page.url()).not.toContain('code=');
    // The browser did see a code, in the redirect to the app: that is the flow working.
    expect(urls.some((url) => url.startsWith(`${spa?.url}?code=ac_`))).toBe(true);
    expect(urls.filter((url) => /eyJ|srt_|sat_/.test(url))).toEqual([]);
    // PKCE S256 and state went to the authorization endpoint.
    const authorize = new URL(urls.find((url) => url.includes('/oauth/authorize?')) ?? '');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('redirect_uri')).toBe(spa?.url);
    // Tokens live in memory only: nothing left in the tab's storage but the config.
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...sessionStorage, ...localStorage })',
    );
    expect(stored).not.toMatch(/eyJ|srt_|verifier/);
  });

  it('refuses an answer whose state it did not ask for, and trades no code', async () => {
    const clientId = await registerSpa();
    const { page, urls, visit, snap } = tab();
    await visit(spaWith(clientId), 'spa');
    await visit(`${spa?.url}?code=ac_forged&state=not-ours`, 'forged-answer');
    await page.getByRole('alert').waitFor();
    await snap('refused');
    expect(await page.getByRole('alert').textContent()).toMatch(/state does not match/);
    expect(page.url()).toBe(spa?.url);
    expect(urls.some((url) => url.includes('/oauth/token'))).toBe(false);
  });
});
