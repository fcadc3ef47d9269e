import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { finishOwnWebAuthn, startOwnWebAuthn } from '../../../../src/core/account/own-factors';
import { noRequest } from '../../../../src/core/audit/audit';
import {
  issueMfaToken,
  listFactors,
  mfaChallengeOptions,
  passkeyOptions,
  removeFactor,
  stepUpAssertionOptions,
  verifyMfaCredential,
  verifyPasskey,
} from '../../../../src/core/mfa';
import { assertStepUp, stepUpProofOf } from '../../../../src/core/sessions/reauthentication';
import { startSession } from '../../../../src/core/sessions/sessions';
import { testDeps } from '../../../support/core-deps';
import { SoftAuthenticator } from '../../../support/soft-authenticator';
import { createUserWithPassword } from '../../../support/users';

const code = (name: string) => expect.objectContaining({ code: name });

const setup = async () => {
  const deps = testDeps({ LOCKOUT_THRESHOLD: '5' });
  const origin = deps.config.webauthn.origins[0] as string;
  const user = await createUserWithPassword(deps);
  const self = { kind: 'user' as const, user, tokenId: null, origin: 'self' as const };
  const signedIn = await startSession(deps, user, null, { origin: 'self' });
  const sid = decodeJwt(signedIn.access_token).sid as string;
  const proof = () => stepUpProofOf(deps, user.id, sid, {});
  const authenticator = new SoftAuthenticator();
  const register = async (device = authenticator) => {
    const options = await startOwnWebAuthn(deps, self, await proof(), noRequest);
    return finishOwnWebAuthn(deps, self, sid, device.register(options, origin), 'key', noRequest);
  };
  const mfaToken = async () =>
    (
      await issueMfaToken(deps, user.id, {
        method: 'password',
        clientId: null,
        sid: null,
        amr: ['pwd'],
      })
    ).mfaToken;
  return { deps, origin, user, self, sid, proof, authenticator, register, mfaToken };
};

describe('WebAuthn in the core', () => {
  it('registers a credential as a confirmed factor; the first brings recovery codes', async () => {
    const { deps, user, register } = await setup();
    const first = await register();
    expect(first.factor.type).toBe('webauthn');
    expect(first.recovery_codes).toHaveLength(10);
    expect((await register(new SoftAuthenticator())).recovery_codes).toBeUndefined();
    expect((await listFactors(deps, user.id)).factors).toHaveLength(2);
  });

  it('keeps user.id the same while the user has a WebAuthn factor, and excludes their credentials', async () => {
    const { deps, self, proof, register, authenticator } = await setup();
    const before = await startOwnWebAuthn(deps, self, await proof(), noRequest);
    await register();
    // The session that registered the first key steps up again with its recent sign-in.
    const after = await startOwnWebAuthn(deps, self, await proof(), noRequest);
    const again = await startOwnWebAuthn(deps, self, await proof(), noRequest);
    expect(after.user.id).toBe(again.user.id);
    expect(after.user.id).toHaveLength(43);
    // Before any WebAuthn factor each options call draws anew; after, the registered one stays.
    expect(before.user.id).not.toBe(after.user.id);
    expect(after.excludeCredentials?.map((d) => d.id)).toEqual(authenticator.credentialIds);
  });

  it('refuses a registration answer twice, or one over another purpose’s challenge', async () => {
    const { deps, self, sid, origin, authenticator, user } = await setup();
    const options = await startOwnWebAuthn(deps, self, { authTime: deps.clock.now() }, noRequest);
    const answer = authenticator.register(options, origin);
    await finishOwnWebAuthn(deps, self, sid, answer, undefined, noRequest);
    await expect(finishOwnWebAuthn(deps, self, sid, answer, undefined, noRequest)).rejects.toEqual(
      code('record_invalid'),
    );
    const passkey = await passkeyOptions(deps);
    const forged = new SoftAuthenticator().register(
      { ...options, challenge: passkey.challenge, excludeCredentials: [] },
      origin,
    );
    await expect(finishOwnWebAuthn(deps, self, sid, forged, undefined, noRequest)).rejects.toEqual(
      code('record_invalid'),
    );
    expect((await listFactors(deps, user.id)).factors).toHaveLength(1);
  });

  it('verifies a second factor once, with the mfa_token its challenge was given for', async () => {
    const { deps, origin, authenticator, register, mfaToken } = await setup();
    const { factor } = await register();
    const token = await mfaToken();
    const options = await mfaChallengeOptions(deps, token, factor.factor_id);
    expect(options.allowCredentials?.map((d) => d.id)).toEqual(authenticator.credentialIds);
    const assertion = authenticator.assert(options, origin);
    // Another mfa_token cannot spend this token's challenge.
    const other = await mfaToken();
    await expect(
      verifyMfaCredential(deps, { mfaToken: other, credential: assertion }, noRequest),
    ).rejects.toEqual(code('invalid_credentials'));
    const again = authenticator.assert(
      await mfaChallengeOptions(deps, token, factor.factor_id),
      origin,
    );
    const done = await verifyMfaCredential(deps, { mfaToken: token, credential: again }, noRequest);
    expect([...done.amr].sort()).toEqual(['hwk', 'mfa', 'pwd']);
    await expect(
      verifyMfaCredential(deps, { mfaToken: token, credential: again }, noRequest),
    ).rejects.toEqual(code('token_invalid'));
  });

  it('refuses a clone with a stale counter and audits it', async () => {
    const { deps, origin, authenticator, register } = await setup();
    await register();
    const clone = authenticator.clone(authenticator.credentialIds[0] as string);
    const signIn = async (device: SoftAuthenticator) =>
      verifyPasskey(deps, device.assert(await passkeyOptions(deps), origin), noRequest);
    expect((await signIn(authenticator)).amr).toEqual(['hwk', 'mfa']);
    expect((await signIn(authenticator)).amr).toEqual(['hwk', 'mfa']);
    await expect(signIn(clone)).rejects.toEqual(code('invalid_credentials'));
    const events = await deps.store.listAuditEvents({ action: 'auth.sign_in', limit: 10 });
    expect(events.items.map((e) => e.detail?.reason)).toContain('counter_stale');
  });

  it('requires user verification for a passkey sign-in, and refuses a wrong origin or rp id', async () => {
    const { deps, origin, authenticator, register } = await setup();
    await register();
    const refused = async (settings: Parameters<SoftAuthenticator['assert']>[2], at = origin) =>
      expect(
        verifyPasskey(
          deps,
          authenticator.assert(await passkeyOptions(deps), at, settings),
          noRequest,
        ),
      ).rejects.toEqual(code('invalid_credentials'));
    await refused({ userVerified: false });
    await refused({}, 'https://evil.example');
    await refused({ rpId: 'evil.example' });
    const ok = authenticator.assert(await passkeyOptions(deps), origin);
    expect((await verifyPasskey(deps, ok, noRequest)).user.id).toBeTruthy();
  });

  it('stops a removed factor’s passkey from signing in', async () => {
    const { deps, origin, authenticator, register, user } = await setup();
    const { factor } = await register();
    await removeFactor(deps, user.id, factor.factor_id, noRequest);
    const assertion = authenticator.assert(await passkeyOptions(deps), origin);
    await expect(verifyPasskey(deps, assertion, noRequest)).rejects.toEqual(
      code('invalid_credentials'),
    );
  });

  it('takes a step-up assertion over a step-up challenge only', async () => {
    const { deps, origin, authenticator, register, user } = await setup();
    await register();
    const stepUp = await stepUpAssertionOptions(deps, user.id);
    const proof = { authTime: null, credential: authenticator.assert(stepUp, origin) };
    await assertStepUp(deps, user, proof);
    await expect(assertStepUp(deps, user, proof)).rejects.toEqual(code('forbidden'));
    const passkey = authenticator.assert(await passkeyOptions(deps), origin);
    await expect(assertStepUp(deps, user, { authTime: null, credential: passkey })).rejects.toEqual(
      code('forbidden'),
    );
  });
});
