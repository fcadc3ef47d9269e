import { describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../src/core/shared/deps';
import { loginKey, type UserRecord } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { browserFlow } from '../support/browser-flow';
import { confirmedTotp } from '../support/mfa-fixtures';
import { useSsoStack } from '../support/sso-stack';
import type { Identity } from '../support/test-idp';
import { totpCodeAt } from '../support/totp-codes';

/**
 * Issue 15 (mfa-harden), over HTTP on DynamoDB Local with the Metabase-style JWT SSO provider.
 * Invariant: for a user with a factor, nothing of an SSO login (the link, role and group sync,
 * the profile) is written before the factor is verified: an abandoned challenge leaves the
 * account as it was; a verified one writes it all, then opens the session.
 */
const OWNER = { email: 'owner@facts.test', password: 'facts owner passphrase' };

const { idp, stack } = await useSsoStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  SSO_GROUP_SYNC: '1',
  SSO_GROUP_MAPPINGS: JSON.stringify({ 'data-admins': 'admin' }),
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
});
const deps = (): CoreDeps => buildDeps(process.env);

const userByEmail = async (email: string): Promise<UserRecord> => {
  const id = (await deps().store.findLogin(loginKey(email)))?.userId;
  const user = id ? await deps().store.getUser(id) : null;
  if (!user) throw new Error(`no user ${email}`);
  return user;
};

/** What a provider's login may change: compared before and after an abandoned challenge. */
const writable = (user: UserRecord) => ({
  name: user.name,
  role: user.role,
  groups: user.groups,
  identities: user.identities,
  attributes: user.attributes,
  updatedAt: user.updatedAt,
});

/** A browser back from the provider as `identity` (each token a new second: not a replay). */
const ssoBrowser = async (identity: Identity) => {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const browser = browserFlow(() => stack().url);
  const landed = await browser.request(
    'GET',
    `/auth/sso?jwt=${encodeURIComponent(idp.signLikeMetabase(identity))}&return_to=%2Flanding`,
  );
  return { browser, landed };
};

const hasSession = (browser: ReturnType<typeof browserFlow>) =>
  browser.cookieHeader().includes('gatehouse_session=');

/** The challenge page answered with `code`. */
const verify = async (browser: ReturnType<typeof browserFlow>, location: string, code: string) => {
  const page = await browser.request('GET', location);
  expect(page.status, page.text).toBe(200);
  return browser.request('POST', '/sign-in/mfa', {
    csrf: browser.hidden(page.text, 'csrf'),
    return_to: '/landing',
    code,
  });
};

describe('an SSO login of a user with a factor', () => {
  it('writes no role, group or profile sync until the factor is verified', async () => {
    const email = `synced-${Date.now()}@facts.test`;
    await ssoBrowser({ email, first_name: 'Old', last_name: 'Name', groups: [] });
    const user = await userByEmail(email);
    expect(user.role).toBe('viewer');
    const { secret } = await confirmedTotp(deps(), user);
    const confirmedAt = Date.now();
    const before = writable(await userByEmail(email));

    const raising = { email, first_name: 'New', last_name: 'Name', groups: ['data-admins'] };
    // Abandoned at the challenge: nothing of the login is written.
    const abandoned = await ssoBrowser(raising);
    expect(abandoned.landed.status, abandoned.landed.text).toBe(302);
    expect(abandoned.landed.location).toBe('/sign-in/mfa?return_to=%2Flanding');
    expect(hasSession(abandoned.browser)).toBe(false);
    expect(writable(await userByEmail(email))).toEqual(before);

    // Verified: the sync is written, then the session opens (and survives the raise's sweep).
    const finished = await ssoBrowser(raising);
    expect(finished.landed.location).toBe('/sign-in/mfa?return_to=%2Flanding');
    expect(writable(await userByEmail(email))).toEqual(before);
    const done = await verify(
      finished.browser,
      finished.landed.location as string,
      totpCodeAt(secret, Math.max(Date.now(), confirmedAt + 30_000)),
    );
    expect(done.status, done.text).toBe(303);
    expect(done.location).toBe('/landing');
    const after = await userByEmail(email);
    expect(after).toMatchObject({ role: 'admin', name: 'New Name', groups: ['data-admins'] });
    const console = await finished.browser.request('GET', '/console');
    expect(console.status, console.text).toBe(200);
    expect(console.text).toContain(email);
  });

  it('a pending link to an owner with a factor links nothing after the password alone; the factor links it', async () => {
    const owner = await userByEmail(OWNER.email);
    const { codes } = await confirmedTotp(deps(), owner);
    const linkWithPassword = async () => {
      const { browser, landed } = await ssoBrowser({ email: OWNER.email, first_name: 'Root' });
      expect(landed.location).toBe('/link-account');
      const shown = await browser.request('GET', '/link-account');
      const posted = await browser.request('POST', '/link-account', {
        csrf: browser.hidden(shown.text, 'csrf'),
        password: OWNER.password,
      });
      return { browser, posted };
    };
    const before = writable(await userByEmail(OWNER.email));

    const abandoned = await linkWithPassword();
    expect(abandoned.posted.status, abandoned.posted.text).toBe(303);
    expect(abandoned.posted.location).toBe('/sign-in/mfa?return_to=%2Flanding');
    expect(hasSession(abandoned.browser)).toBe(false);
    expect(abandoned.browser.cookieHeader()).toMatch(/gatehouse_mfa=mft_/);
    expect(writable(await userByEmail(OWNER.email))).toEqual(before);

    const finished = await linkWithPassword();
    expect(writable(await userByEmail(OWNER.email))).toEqual(before);
    const done = await verify(
      finished.browser,
      finished.posted.location as string,
      codes?.[0] as string,
    );
    expect(done.status, done.text).toBe(303);
    expect(done.location).toBe('/landing');
    expect((await userByEmail(OWNER.email)).identities).toEqual([
      expect.objectContaining({ provider: 'jwt', subject: OWNER.email }),
    ]);
    expect((await finished.browser.request('GET', '/console')).status).toBe(200);
  });
});
