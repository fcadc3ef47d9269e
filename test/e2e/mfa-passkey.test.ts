import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeps } from '../../src/http/composition';
import { useLocalStack } from '../support/local-stack';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { webAuthnMembers } from '../support/webauthn-members';

/**
 * Passwordless passkey sign-in over HTTP on DynamoDB Local, the software authenticator as the
 * browser: amr, MFA_REQUIRED_ROLES, clones, user verification, unknown credentials, and a
 * removed or reset factor's passkey.
 */
const OWNER = { email: 'owner@mfa-passkey.test', password: 'mfa passkey owner passphrase' };

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  REVOCATION_CACHE_SECONDS: '0',
  MFA_REQUIRED_ROLES: 'editor',
  LOCKOUT_THRESHOLD: '10',
});

let ownerToken: string;
let origin: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  origin = buildDeps(process.env).config.webauthn.origins[0] as string;
});

const { withPasskey, passkeySignIn, passkeyAssertion } = webAuthnMembers(
  call,
  () => ownerToken,
  () => origin,
);
const claims = (token: string) => decodeJwt(token) as { amr: string[]; scope: string };

/** The one 401 every refused passkey gets, whatever was wrong. */
const expectRefused = (reply: { status: number; body: unknown }) => {
  expect(reply.status).toBe(401);
  expect(reply.body).toEqual({
    error: { code: 'invalid_credentials', message: 'That passkey was not accepted.' },
  });
};

describe('passwordless passkey sign-in', () => {
  it('answers the sign-in shape with amr hwk, mfa, which satisfies MFA_REQUIRED_ROLES', async () => {
    const member = await withPasskey('editor');
    const options = await call('POST', '/auth/passkey/options');
    expect(options.body.userVerification).toBe('required');
    expect(options.body.allowCredentials ?? []).toEqual([]);
    const done = await call('POST', '/auth/passkey/verify', {
      json: { credential: member.device.assert(options.body, origin) },
    });
    expect(done.status, done.text).toBe(200);
    expect(done.headers.get('cache-control')).toBe('no-store');
    expect(done.body.user.id).toBe(member.id);
    expect([...claims(done.body.access_token).amr].sort()).toEqual(['hwk', 'mfa']);
    // An editor under MFA_REQUIRED_ROLES gets the role's grants, not only `profile`.
    expect(claims(done.body.access_token).scope.split(' ')).toContain('create_session');
    const refreshed = await call('POST', '/auth/refresh', {
      json: { refresh_token: done.body.refresh_token },
    });
    expect([...claims(refreshed.body.access_token).amr].sort()).toEqual(['hwk', 'mfa']);
  });

  it('refuses a cloned credential with a stale counter, and audits it', async () => {
    const member = await withPasskey();
    const clone = member.device.clone(member.device.credentialIds[0] as string);
    expect((await passkeySignIn(member.device)).status).toBe(200);
    expect((await passkeySignIn(member.device)).status).toBe(200);
    expectRefused(await passkeySignIn(clone));
    const audit = await call('GET', `/audit?target_id=${member.id}&action=auth.sign_in`, {
      token: ownerToken,
    });
    const reasons = audit.body.events.map((e: { detail: { reason?: string } }) => e.detail.reason);
    expect(reasons).toContain('counter_stale');
    expect(JSON.stringify(audit.body)).not.toContain(member.device.credentialIds[0]);
  });

  it('refuses a challenge of a shape never issued (6,000 characters: past a DynamoDB key) with the same 401', async () => {
    const member = await withPasskey();
    const options = await call('POST', '/auth/passkey/options');
    for (const challenge of ['A'.repeat(6000), 'not base64url!', `${options.body.challenge}=`]) {
      expectRefused(
        await call('POST', '/auth/passkey/verify', {
          json: { credential: member.device.assert({ ...options.body, challenge }, origin) },
        }),
      );
    }
    // None of them spent the real challenge.
    expect(
      (
        await call('POST', '/auth/passkey/verify', {
          json: { credential: member.device.assert(options.body, origin) },
        })
      ).status,
    ).toBe(200);
  });

  it('refuses a challenge used twice, missing user verification, a wrong origin or rp id', async () => {
    const member = await withPasskey();
    const assertion = await passkeyAssertion(member.device);
    expect(
      (await call('POST', '/auth/passkey/verify', { json: { credential: assertion } })).status,
    ).toBe(200);
    expectRefused(await call('POST', '/auth/passkey/verify', { json: { credential: assertion } }));
    expectRefused(await passkeySignIn(member.device, { userVerified: false }));
    expectRefused(await passkeySignIn(member.device, {}, 'https://evil.example'));
    expectRefused(await passkeySignIn(member.device, { rpId: 'evil.example' }));
    // A second factor's challenge (of an mfa_token) cannot serve a passkey sign-in.
    const required = await call('POST', '/auth/sign-in', {
      json: { login: member.email, password: 'a member passphrase 4321' },
    });
    const mfaOptions = await call('POST', '/auth/mfa/challenge', {
      json: { mfa_token: required.body.mfa_token, factor_id: member.factorId },
    });
    expectRefused(
      await call('POST', '/auth/passkey/verify', {
        json: { credential: member.device.assert(mfaOptions.body, origin) },
      }),
    );
  });

  it('answers an unknown credential exactly as a bad signature', async () => {
    const member = await withPasskey();
    const stranger = new SoftAuthenticator();
    stranger.register(
      {
        challenge: 'AAAA',
        rp: { id: new URL(origin).hostname, name: 'x' },
        user: { id: 'AAAA', name: 'x', displayName: 'x' },
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      },
      origin,
    );
    expectRefused(await passkeySignIn(stranger));
    // The member's credential id over a stranger's key: a bad signature.
    const forged = await passkeyAssertion(stranger);
    const bad = {
      ...forged,
      id: member.device.credentialIds[0],
      rawId: member.device.credentialIds[0],
    };
    expectRefused(await call('POST', '/auth/passkey/verify', { json: { credential: bad } }));
  });

  it('stops a removed factor’s passkey from signing in', async () => {
    const member = await withPasskey();
    const removed = await call('DELETE', `/me/mfa/${member.factorId}`, {
      token: member.token,
      json: { password: 'a member passphrase 4321' },
    });
    expect(removed.status, removed.text).toBe(204);
    expectRefused(await passkeySignIn(member.device));
  });

  it('stops a passkey after an admin reset of the user’s factors', async () => {
    const member = await withPasskey();
    const reset = await call('DELETE', `/users/${member.id}/mfa`, { token: ownerToken });
    expect(reset.status, reset.text).toBe(204);
    expectRefused(await passkeySignIn(member.device));
  });

  it('stops a deleted user’s passkey', async () => {
    const member = await withPasskey();
    const deleted = await call('DELETE', `/users/${member.id}`, { token: ownerToken });
    expect(deleted.status, deleted.text).toBe(204);
    expectRefused(await passkeySignIn(member.device));
  });
});
