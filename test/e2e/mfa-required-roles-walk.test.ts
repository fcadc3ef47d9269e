import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { totpCodeAt } from '../support/totp-codes';

/**
 * MFA_REQUIRED_ROLES on the hosted pages (API.md, MFA), over HTTP on DynamoDB Local: a user of
 * such a role without a factor signs in and holds only `profile`; the console says why and
 * walks them into adding an authenticator app; once they confirm it, that same browser
 * session's next page load has the role's grants. Another session of theirs is not lifted.
 */
const OWNER = { email: 'owner@walk.test', password: 'walk owner passphrase' };
const PASSWORD = 'a walked editor passphrase';
const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  MFA_REQUIRED_ROLES: 'editor',
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
});

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

type Flow = ReturnType<typeof browserFlow>;

/** The console's token form: 201 with the role's grants, 403 while held back. */
const mintStatus = async (flow: Flow) => {
  const page = await flow.request('GET', '/console/tokens');
  const made = await flow.request('POST', '/console/tokens', {
    csrf: flow.hidden(page.text, 'csrf'),
    once: flow.hidden(page.text, 'once'),
    name: `walk ${randomUUID().slice(0, 6)}`,
  });
  return made.status;
};

describe('an MFA_REQUIRED_ROLES user without a factor on the hosted pages', () => {
  it('is walked to TOTP enrolment; after confirming, the next page load has the full grants', async () => {
    const email = `e${randomUUID().slice(0, 8)}@walk.test`;
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { email, role: 'editor', password: PASSWORD },
    });
    expect(made.status, made.text).toBe(201);
    const flow = browserFlow(() => stack().url);
    await flow.signIn(email, PASSWORD);
    const other = browserFlow(() => stack().url);
    await other.signIn(email, PASSWORD);

    const account = await flow.request('GET', '/console');
    expect(account.status).toBe(200);
    expect(account.text).toContain('Your role (editor) needs two-factor authentication');
    expect(account.text).toContain('it can only see your profile');
    expect(await mintStatus(flow)).toBe(403);

    const enrolled = await flow.request('POST', '/console/mfa/totp', {
      csrf: flow.hidden(account.text, 'csrf'),
      once: flow.hidden(account.text, 'once'),
      name: 'Phone',
      proof: '',
    });
    expect(enrolled.status, enrolled.text).toBe(201);
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(enrolled.text)?.[1] ?? '';
    const action = /action="(\/console\/mfa\/totp\/[^/]+\/confirm)"/.exec(enrolled.text)?.[1] ?? '';
    const confirmed = await flow.request('POST', action, {
      csrf: flow.hidden(enrolled.text, 'csrf'),
      code: totpCodeAt(secret, Date.now()),
    });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.text).toContain('recovery-codes');

    const after = await flow.request('GET', '/console');
    expect(after.text).not.toContain('needs two-factor authentication');
    expect(await mintStatus(flow)).toBe(201);

    // The other browser verified no factor: still held back, and told to sign in again.
    const elsewhere = await other.request('GET', '/console');
    expect(elsewhere.text).toContain('sign in again with your authenticator app');
    expect(await mintStatus(other)).toBe(403);
  });
});
