import { afterAll, describe, expect, it } from 'vitest';
import { startSpaServer } from '../../examples/spa/serve';
import { OWNER, useBrowser } from './support/browser';

/**
 * CORS_ALLOWED_ORIGINS in Chromium: the sample app's origin calls `/me` with a bearer across
 * origins and reads the answer; the same page from an origin not listed cannot.
 */
// Started before the stack, whose CORS_ALLOWED_ORIGINS names it.
const spa = await startSpaServer(0);
const ALLOWED = new URL(spa.url).origin; // http://localhost:<port>
// The same server by IP: another origin to the browser, not in the list.
const OTHER = ALLOWED.replace('localhost', '127.0.0.1');

const { tab, stack, signIn } = useBrowser({ CORS_ALLOWED_ORIGINS: ALLOWED });
afterAll(() => spa.close());

/** What the page's own script gets from a cross-origin fetch of /me with a bearer. */
const fetchMe = (gatehouse: string, token: string) => `
  fetch(${JSON.stringify(`${gatehouse}/me`)}, {
    headers: { authorization: ${JSON.stringify(`Bearer ${token}`)} },
    credentials: 'omit',
  }).then(
    async (reply) => ({ status: reply.status, body: await reply.json() }),
    (error) => ({ failed: String(error) }),
  )`;

describe('CORS_ALLOWED_ORIGINS in a browser', () => {
  it('lets the sample app’s origin read /me with a bearer (a preflighted request)', async () => {
    const token = await signIn(OWNER.email, OWNER.password);
    const { page, visit, urls } = tab();
    await visit(`${ALLOWED}/`, 'spa-allowed-origin');
    const answer = await page.evaluate<{ status: number; body: { user: { email: string } } }>(
      fetchMe(stack().url, token),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.user.email).toBe(OWNER.email);
    expect(urls.filter((url) => url === `${stack().url}/me`).length).toBeGreaterThan(0);
  });

  it('fails the same fetch from an origin not listed', async () => {
    const token = await signIn(OWNER.email, OWNER.password);
    const { page, visit } = tab();
    await visit(`${OTHER}/`, 'spa-other-origin');
    const answer = await page.evaluate<{ failed?: string }>(fetchMe(stack().url, token));
    expect(answer.failed).toMatch(/TypeError: Failed to fetch/);
  });
});
