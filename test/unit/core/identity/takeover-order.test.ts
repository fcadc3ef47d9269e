import { describe, expect, it } from 'vitest';
import { finishOwnWebAuthn, startOwnWebAuthn } from '../../../../src/core/account/own-factors';
import {
  forgotPassword,
  resetPasswordWithToken,
  signUp,
} from '../../../../src/core/account/self-service';
import { noRequest } from '../../../../src/core/audit/audit';
import { passkeyOptions } from '../../../../src/core/mfa';
import { signInWithPasskey } from '../../../../src/core/sessions/passkey-sign-in';
import { rotateRefreshToken } from '../../../../src/core/sessions/sessions';
import type { Store } from '../../../../src/core/shared/store';
import { createMemoryStore } from '../../../../src/store/memory-store';
import { testDeps } from '../../../support/core-deps';
import { SoftAuthenticator } from '../../../support/soft-authenticator';

/**
 * Red team 15c (regressions): a takeover ends sessions, clears factors, ends sessions again; the
 * reset and verify links clear the squatter's factors before saving the proof (a failed clear
 * leaves the address unproven, so a new link retries it); deletion forgets factors twice.
 */
const squat = async (deps: ReturnType<typeof testDeps>) => {
  const origin = deps.config.webauthn.origins[0] as string;
  const made = await signUp(
    deps,
    { email: 'victim@corp.test', password: 'squatter passphrase 1' },
    noRequest,
  );
  const user = await deps.store.getUser(made.id);
  if (!user) throw new Error('the squatter’s account is missing');
  const self = { kind: 'user' as const, user, tokenId: null, origin: 'self' as const };
  const device = new SoftAuthenticator();
  const options = await startOwnWebAuthn(deps, self, { authTime: deps.clock.now() }, noRequest);
  await finishOwnWebAuthn(deps, self, '', device.register(options, origin), 'squat', noRequest);
  const passkey = async () =>
    signInWithPasskey(deps, device.assert(await passkeyOptions(deps), origin), noRequest);
  return { user, passkey };
};

const resetByMail = async (deps: ReturnType<typeof testDeps>) => {
  deps.clock.advance(1000);
  await forgotPassword(deps, 'victim@corp.test', noRequest);
  const token = /#token=(prt_[\w-]{43})/.exec(deps.mailer.sent.at(-1)?.text ?? '')?.[1] as string;
  deps.clock.advance(1000);
  return resetPasswordWithToken(deps, { token, password: 'the real owner chose this' }, noRequest);
};

describe('takeover order (red team 15c)', () => {
  it("ends a squatter passkey session opened between the takeover's sweep and its factor clear", async () => {
    const base = createMemoryStore();
    let inGap: (() => Promise<unknown>) | null = null;
    let landed: { refresh_token?: string } | null = null;
    const store: Store = {
      ...base,
      clearFactors: async (...args: Parameters<Store['clearFactors']>) => {
        // The sweep (removeCredentialsForTakeover) ran already; the factors are still there.
        if (inGap) {
          const go = inGap;
          inGap = null;
          landed = (await go()) as { refresh_token?: string };
        }
        return base.clearFactors(...args);
      },
    };
    const deps = testDeps({ SIGN_UP_ENABLED: '1', REQUIRE_EMAIL_VERIFICATION: '0' }, store);
    const { passkey } = await squat(deps);
    inGap = passkey;
    await resetByMail(deps);
    const squatterToken = (landed as { refresh_token?: string } | null)?.refresh_token;
    expect(squatterToken).toBeDefined();
    // The invariant: the squatter's session from the gap is ended by the takeover's last sweep.
    await expect(
      rotateRefreshToken(deps, squatterToken as string, { endpoint: 'auth' }),
    ).rejects.toBeDefined();
  });

  it("clears the squatter's factors before the proof is saved, so a failed clear leaves nothing proven", async () => {
    const base = createMemoryStore();
    let failOnce = true;
    const store: Store = {
      ...base,
      clearFactors: async (...args: Parameters<Store['clearFactors']>) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('transient store failure (e.g. a chunk of a legacy >40-factor clear)');
        }
        return base.clearFactors(...args);
      },
    };
    const deps = testDeps({ SIGN_UP_ENABLED: '1', REQUIRE_EMAIL_VERIFICATION: '0' }, store);
    const { passkey } = await squat(deps);
    await expect(resetByMail(deps)).rejects.toBeDefined();
    // The owner tries again: the address is proven now, so no takeover runs.
    await resetByMail(deps);
    // Expected: the squatter's passkey is dead. Observed: it still signs in.
    await expect(passkey()).rejects.toBeDefined();
  });
});

describe('deletion order (red team 15c)', () => {
  it('lets no passkey registered during the deletion outlive its user', async () => {
    const { deleteUser } = await import('../../../../src/core/users/user-management');
    const { createUserWithPassword } = await import('../../../support/users');
    const base = createMemoryStore();
    let inGap: (() => Promise<unknown>) | null = null;
    const store: Store = {
      ...base,
      deleteUser: async (...args: Parameters<Store['deleteUser']>) => {
        if (inGap) {
          const go = inGap;
          inGap = null;
          await go();
        }
        return base.deleteUser(...args);
      },
    };
    const deps = testDeps({}, store);
    const origin = deps.config.webauthn.origins[0] as string;
    const user = await createUserWithPassword(deps);
    const self = { kind: 'user' as const, user, tokenId: null, origin: 'self' as const };
    const device = new SoftAuthenticator();
    let credentialId = '';
    inGap = async () => {
      const options = await startOwnWebAuthn(deps, self, { authTime: deps.clock.now() }, noRequest);
      const registration = device.register(options, origin);
      credentialId = registration.id;
      await finishOwnWebAuthn(deps, self, '', registration, 'late', noRequest);
    };
    await deleteUser(deps, { kind: 'operator', name: 'unit' }, user.id, noRequest);
    expect(credentialId).not.toBe('');
    // Expected: nothing of the user's is left. Observed: the factor and its lookup remain.
    expect({
      lookup: await deps.store.findWebAuthnCredential(credentialId),
      factors: (await deps.store.getMfaState(user.id)).factors.length,
    }).toEqual({ lookup: null, factors: 0 });
  });
});
