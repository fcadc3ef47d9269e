import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeps } from '../../src/http/composition';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { totpCodeAt } from '../support/totp-codes';

/**
 * Invariant A (reauthentication.ts), from red team 15b: a session without `mfa` of a user who
 * has a factor steps up only with that factor. A thief holding a password-only (held-back)
 * session of an MFA_REQUIRED_ROLES user, after the user enrolled TOTP, cannot register their
 * OWN passkey with the password (and so neither sign in passwordless with full grants nor, on
 * the console, lift the held-back session). Invariant B: the user's own session, which
 * confirmed the first factor, is marked and adds a second one with the password.
 */
const OWNER = { email: 'owner@red-wa-thief.test', password: 'red wa thief owner passphrase' };
const PASSWORD = 'a red wa editor passphrase';
const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  MFA_REQUIRED_ROLES: 'editor',
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
});

let ownerToken: string;
let origin: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  origin = buildDeps(process.env).config.webauthn.origins[0] as string;
});

const editor = async () => {
  const email = `e${randomUUID().slice(0, 8)}@red-wa-thief.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role: 'editor', password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  return email;
};

/** The real user enrols TOTP in their own (held-back) session: they now have a factor. */
const victimEnrolsTotp = async (email: string) => {
  const own = await call('POST', '/auth/sign-in', { json: { login: email, password: PASSWORD } });
  expect(own.status, own.text).toBe(200);
  const token = own.body.access_token as string;
  const started = await call('POST', '/me/mfa/totp', { token, json: { password: PASSWORD } });
  expect(started.status, started.text).toBe(201);
  const confirmed = await call('POST', `/me/mfa/totp/${started.body.factor_id}/confirm`, {
    token,
    json: { code: totpCodeAt(started.body.secret, Date.now()) },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  expect(confirmed.body.recovery_codes).toHaveLength(10);
  // Control: the password alone no longer signs in.
  const refreshed = await call('POST', '/auth/refresh', {
    json: { refresh_token: own.body.refresh_token },
  });
  // The confirming session's refresh token is kept, and its next refresh has the full grants.
  expect(refreshed.status, refreshed.text).toBe(200);
  expect(refreshed.body.scope).not.toBe('profile');
  expect((decodeJwt(refreshed.body.access_token) as { amr: string[] }).amr).toEqual(
    expect.arrayContaining(['otp', 'mfa']),
  );
  const gated = await call('POST', '/auth/sign-in', { json: { login: email, password: PASSWORD } });
  expect(gated.status).toBe(403);
  expect(gated.body.error.code ?? gated.body.error).toBe('mfa_required');
  return token;
};

describe('a session that never verified the user’s factor steps up only with it', () => {
  it('API: cannot plant a passkey with the password and sign in with full grants', async () => {
    const email = await editor();
    // The thief (who has the password) signs in while the user has no factor: held back.
    const thief = await call('POST', '/auth/sign-in', {
      json: { login: email, password: PASSWORD },
    });
    expect(thief.status, thief.text).toBe(200);
    expect(thief.body.scope).toBe('profile');
    await victimEnrolsTotp(email);

    const device = new SoftAuthenticator();
    const options = await call('POST', '/me/mfa/webauthn/options', {
      token: thief.body.access_token,
      json: { password: PASSWORD },
    });
    let finalStatus = options.status;
    let detail = options.text;
    if (options.status === 200) {
      const added = await call('POST', '/me/mfa/webauthn', {
        token: thief.body.access_token,
        json: { credential: device.register(options.body, origin), name: 'thief key' },
      });
      expect(added.status, added.text).toBe(201);
      const passkeyOptions = await call('POST', '/auth/passkey/options');
      const signedIn = await call('POST', '/auth/passkey/verify', {
        json: { credential: device.assert(passkeyOptions.body, origin) },
      });
      finalStatus = signedIn.status;
      detail =
        signedIn.status === 200
          ? `thief session: amr ${JSON.stringify((decodeJwt(signedIn.body.access_token) as { amr: string[] }).amr)}, scope ${signedIn.body.scope}`
          : signedIn.text;
    }
    // The held-back session must verify the user's existing factor before it adds one.
    expect(options.status, options.text).toBe(403);
    expect(options.body.error.code ?? options.body.error).toBe('mfa_required');
    expect(finalStatus, detail).not.toBe(200);
  });

  it('API: the session that confirmed the first factor adds a passkey with the password', async () => {
    const email = await editor();
    const token = await victimEnrolsTotp(email);
    const options = await call('POST', '/me/mfa/webauthn/options', {
      token,
      json: { password: PASSWORD },
    });
    expect(options.status, options.text).toBe(200);
    const added = await call('POST', '/me/mfa/webauthn', {
      token,
      json: { credential: new SoftAuthenticator().register(options.body, origin), name: 'own key' },
    });
    expect(added.status, added.text).toBe(201);
    expect(added.body.recovery_codes).toBeUndefined();
  });

  it('console: cannot lift the held-back browser session by registering its own key', async () => {
    const email = await editor();
    const thief = browserFlow(() => stack().url);
    await thief.signIn(email, PASSWORD);
    await victimEnrolsTotp(email);

    const start = await thief.request('GET', '/console/mfa/webauthn');
    expect(start.status, start.text).toBe(200);
    const shown = await thief.request('POST', '/console/mfa/webauthn', {
      csrf: thief.hidden(start.text, 'csrf'),
      once: thief.hidden(start.text, 'once'),
      name: 'thief key',
      proof: PASSWORD,
    });
    expect(shown.status, shown.text).toBe(403);
    const raw = /data-options="([^"]*)"/.exec(shown.text)?.[1];
    if (shown.status !== 200 || !raw) {
      const after = await thief.request('GET', '/console');
      expect(after.text).toContain('needs two-factor authentication');
      return;
    }
    const options = JSON.parse(raw.replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
    const device = new SoftAuthenticator();
    const finished = await thief.request('POST', '/console/mfa/webauthn/finish', {
      csrf: thief.hidden(shown.text, 'csrf'),
      name: 'thief key',
      credential: JSON.stringify(device.register(options, origin)),
    });
    expect([200, 201, 303]).toContain(finished.status);
    const after = await thief.request('GET', '/console');
    // Expected: still held back (the user's TOTP was never verified in this session).
    expect(after.text, 'the thief’s held-back console session was lifted').toContain(
      'needs two-factor authentication',
    );
  });
});
