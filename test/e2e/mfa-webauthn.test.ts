import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeps } from '../../src/http/composition';
import { useLocalStack } from '../support/local-stack';
import { basicAuth } from '../support/oauth';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { MEMBER_PASSWORD, webAuthnMembers } from '../support/webauthn-members';

/**
 * WebAuthn as a second factor over HTTP on DynamoDB Local, with the software authenticator as
 * the browser: registration behind step-up, password + WebAuthn sign-in, the MFA grant and
 * step-up with a credential. Sessions are old after a second (REAUTH_MAX_AGE_SECONDS 1).
 */
const OWNER = { email: 'owner@mfa-webauthn.test', password: 'mfa webauthn owner passphrase' };
const MFA_GRANT = 'urn:gatehouse:grant-type:mfa';

const { call, signIn, tokenEndpoint, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  REVOCATION_CACHE_SECONDS: '0',
  REAUTH_MAX_AGE_SECONDS: '1',
  LOCKOUT_THRESHOLD: '6',
});

let ownerToken: string;
let origin: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  origin = buildDeps(process.env).config.webauthn.origins[0] as string;
});

const { newMember, register, withPasskey, passkeyAssertion } = webAuthnMembers(
  call,
  () => ownerToken,
  () => origin,
);
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
const amrOf = (token: string) => [...(decodeJwt(token).amr as string[])].sort();

const passwordStep = (login: string) =>
  call('POST', '/auth/sign-in', { json: { login, password: MEMBER_PASSWORD } });
const challenge = (mfaToken: string, factorId: string) =>
  call('POST', '/auth/mfa/challenge', { json: { mfa_token: mfaToken, factor_id: factorId } });
const verify = (mfaToken: string, credential: unknown) =>
  call('POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, credential } });

/** The password step, then the factor's challenge: the mfa_token and the options. */
const secondStep = async (member: { email: string; factorId: string }) => {
  const required = await passwordStep(member.email);
  expect(required.status, required.text).toBe(403);
  expect(required.body.error.code).toBe('mfa_required');
  const options = await challenge(required.body.mfa_token, member.factorId);
  expect(options.status, options.text).toBe(200);
  return { mfaToken: required.body.mfa_token as string, options: options.body };
};

describe('registering a WebAuthn factor', () => {
  it('needs step-up: a stolen access token alone cannot add one', async () => {
    const member = await newMember();
    await pause(1100);
    const device = new SoftAuthenticator();
    const unproven = await call('POST', '/me/mfa/webauthn/options', { token: member.token });
    expect(unproven.status, unproven.text).toBe(403);
    expect(unproven.body.error.code).toBe('forbidden');
    const wrong = await call('POST', '/me/mfa/webauthn/options', {
      token: member.token,
      json: { password: 'not the password at all' },
    });
    expect(wrong.status).toBe(403);
    // Without options from a proof, no challenge of this user exists: any answer is refused.
    const passkeyOptions = await call('POST', '/auth/passkey/options');
    const forged = device.register(
      {
        ...passkeyOptions.body,
        rp: { id: new URL(origin).hostname, name: 'x' },
        user: { id: 'AAAA', name: member.email, displayName: member.email },
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      },
      origin,
    );
    const planted = await call('POST', '/me/mfa/webauthn', {
      token: member.token,
      json: { credential: forged },
    });
    expect(planted.status, planted.text).toBe(400);
    expect(planted.body.error.code).toBe('record_invalid');
    expect((await call('GET', '/me/mfa', { token: member.token })).body.factors).toEqual([]);
    // With the password, it registers; the first factor brings the recovery codes, no-store.
    const added = await register(member.token, device);
    expect(added.status, added.text).toBe(201);
    expect(added.headers.get('cache-control')).toBe('no-store');
    expect(added.body.factor).toMatchObject({ type: 'webauthn', name: 'soft key' });
    expect(added.body.recovery_codes).toHaveLength(10);
    const me = await call('GET', '/me', { token: member.token });
    expect(me.body.user.mfa).toEqual({ enrolled: true, types: ['webauthn'] });
  });

  it('keeps user.id stable and refuses the same authenticator twice', async () => {
    const member = await withPasskey();
    const first = await call('POST', '/me/mfa/webauthn/options', {
      token: member.token,
      json: { password: MEMBER_PASSWORD },
    });
    const second = await call('POST', '/me/mfa/webauthn/options', {
      token: member.token,
      json: { password: MEMBER_PASSWORD },
    });
    expect(first.body.user.id).toBe(second.body.user.id);
    expect(first.body.excludeCredentials.map((d: { id: string }) => d.id)).toEqual(
      member.device.credentialIds,
    );
    expect(first.body.authenticatorSelection).toMatchObject({ residentKey: 'preferred' });
    expect(first.body.attestation).toBe('none');
    expect(() => member.device.register(first.body, origin)).toThrow(/InvalidStateError/);
  });
});

describe('password + WebAuthn sign-in', () => {
  it('answers the sign-in shape with amr pwd, hwk, mfa; the mfa_token is spent once', async () => {
    const member = await withPasskey();
    const required = await passwordStep(member.email);
    expect(required.body.factors).toEqual([{ factor_id: member.factorId, type: 'webauthn' }]);
    const { mfaToken, options } = await secondStep(member);
    expect(options.allowCredentials.map((d: { id: string }) => d.id)).toEqual(
      member.device.credentialIds,
    );
    const done = await verify(mfaToken, member.device.assert(options, origin));
    expect(done.status, done.text).toBe(200);
    expect(done.headers.get('cache-control')).toBe('no-store');
    expect(amrOf(done.body.access_token)).toEqual(['hwk', 'mfa', 'pwd']);
    const again = await challenge(mfaToken, member.factorId);
    expect(again.status).toBe(401);
    const replay = await verify(mfaToken, member.device.assert(options, origin));
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('token_invalid');
  });

  it('refuses a challenge used twice, one of another purpose and a wrong origin or rp id', async () => {
    const member = await withPasskey();
    const first = await secondStep(member);
    const assertion = member.device.assert(first.options, origin);
    expect((await verify(first.mfaToken, assertion)).status).toBe(200);
    // One more password step; its token gets new options from the challenge route each time.
    const { mfaToken } = await secondStep(member);
    const fresh = async () => (await challenge(mfaToken, member.factorId)).body;
    const refused = async (credential: unknown) => {
      const reply = await verify(mfaToken, credential);
      expect(reply.status, reply.text).toBe(401);
      expect(reply.body.error.code).toBe('invalid_credentials');
    };
    // The same assertion again (its challenge taken) with the new mfa_token.
    await refused(assertion);
    // A passkey sign-in's challenge cannot serve a second factor.
    await refused(await passkeyAssertion(member.device));
    await refused(member.device.assert(await fresh(), 'https://evil.example'));
    await refused(member.device.assert(await fresh(), origin, { rpId: 'evil.example' }));
    // None of them spent the mfa_token: the right assertion still finishes it.
    const done = await verify(mfaToken, member.device.assert(await fresh(), origin));
    expect(done.status, done.text).toBe(200);
  });

  it('counts wrong assertions toward the lockout, which kills the mfa_token', async () => {
    const member = await withPasskey();
    const { mfaToken, options } = await secondStep(member);
    const statuses: number[] = [];
    for (let i = 0; i < 6 && statuses.at(-1) !== 429; i++) {
      const fresh = (await challenge(mfaToken, member.factorId)).body;
      statuses.push((await verify(mfaToken, member.device.assert(fresh, 'https://x.test'))).status);
    }
    expect(statuses[0]).toBe(401);
    expect(statuses.at(-1)).toBe(429);
    const locked = await verify(mfaToken, member.device.assert(options, origin));
    expect(locked.status, locked.text).toBe(429);
    expect(locked.headers.get('retry-after')).toBeTruthy();
  });

  it('finishes the password grant with the MFA grant and a credential', async () => {
    const member = await withPasskey();
    const client = await registerClient(ownerToken, {
      name: 'webauthn password app',
      grant_types: ['password', 'refresh_token'],
      confidential: true,
      first_party: true,
    });
    const auth = { authorization: basicAuth(client.client_id, client.client_secret as string) };
    const required = await tokenEndpoint(
      { grant_type: 'password', username: member.email, password: MEMBER_PASSWORD },
      auth,
    );
    expect(required.status, required.text).toBe(403);
    expect(required.body.error).toBe('mfa_required');
    const options = await challenge(required.body.mfa_token, member.factorId);
    const credential = JSON.stringify(member.device.assert(options.body, origin));
    const notJson = await tokenEndpoint(
      { grant_type: MFA_GRANT, mfa_token: required.body.mfa_token, credential: '{' },
      auth,
    );
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toBe('invalid_request');
    const done = await tokenEndpoint(
      { grant_type: MFA_GRANT, mfa_token: required.body.mfa_token, credential },
      auth,
    );
    expect(done.status, done.text).toBe(200);
    expect(amrOf(done.body.access_token)).toEqual(['hwk', 'mfa', 'pwd']);
    expect(decodeJwt(done.body.access_token).client_id).toBe(client.client_id);
  });
});

describe('step-up with a credential', () => {
  it('removes a factor with an assertion over a step-up challenge, not over another', async () => {
    const member = await withPasskey();
    await pause(1100);
    const noProof = await call('DELETE', `/me/mfa/${member.factorId}`, { token: member.token });
    expect(noProof.status).toBe(403);
    expect(noProof.body.error.code).toBe('mfa_required');
    const passkey = await passkeyAssertion(member.device);
    const wrongPurpose = await call('DELETE', `/me/mfa/${member.factorId}`, {
      token: member.token,
      json: { credential: passkey },
    });
    expect(wrongPurpose.status, wrongPurpose.text).toBe(403);
    expect(wrongPurpose.body.error.code).toBe('forbidden');
    const options = await call('POST', '/me/mfa/webauthn/assertion-options', {
      token: member.token,
    });
    expect(options.status, options.text).toBe(200);
    const removed = await call('DELETE', `/me/mfa/${member.factorId}`, {
      token: member.token,
      json: { credential: member.device.assert(options.body, origin) },
    });
    expect(removed.status, removed.text).toBe(204);
    expect((await call('GET', '/me/mfa', { token: member.token })).body.factors).toEqual([]);
  });

  it('finishes a step-up mfa_token with an assertion: the same sid, renewed, with hwk', async () => {
    const member = await withPasskey();
    await pause(1100);
    const required = await call('POST', '/me/mfa/recovery-codes', { token: member.token });
    expect(required.status, required.text).toBe(403);
    expect(required.body.error.code).toBe('mfa_required');
    const options = await challenge(required.body.mfa_token, member.factorId);
    expect(options.status, options.text).toBe(200);
    const renewed = await verify(
      required.body.mfa_token,
      member.device.assert(options.body, origin),
    );
    expect(renewed.status, renewed.text).toBe(200);
    expect(decodeJwt(renewed.body.access_token).sid).toBe(decodeJwt(member.token).sid);
    expect(amrOf(renewed.body.access_token)).toEqual(['hwk', 'mfa', 'pwd']);
    const codes = await call('POST', '/me/mfa/recovery-codes', {
      token: renewed.body.access_token,
    });
    expect(codes.status, codes.text).toBe(200);
    expect(codes.body.recovery_codes).toHaveLength(10);
  });
});
