import { describe, expect, it } from 'vitest';
import { finishOwnWebAuthn, startOwnWebAuthn } from '../../../../src/core/account/own-factors';
import { noRequest } from '../../../../src/core/audit/audit';
import { passkeyOptions } from '../../../../src/core/mfa';
import {
  signInWithPasskey,
  startPasskeySignIn,
} from '../../../../src/core/sessions/passkey-sign-in';
import { testDeps } from '../../../support/core-deps';
import { SoftAuthenticator } from '../../../support/soft-authenticator';
import { createUserWithPassword } from '../../../support/users';

const code = (name: string) => expect.objectContaining({ code: name });

describe('passkey sign-in', () => {
  it('is off with PASSWORD_LOGIN_ENABLED=0, like passwords', async () => {
    const deps = testDeps({ PASSWORD_LOGIN_ENABLED: '0' });
    const origin = deps.config.webauthn.origins[0] as string;
    const user = await createUserWithPassword(deps);
    const self = { kind: 'user' as const, user, tokenId: null, origin: 'self' as const };
    const device = new SoftAuthenticator();
    const options = await startOwnWebAuthn(deps, self, { authTime: deps.clock.now() }, noRequest);
    await finishOwnWebAuthn(deps, self, '', device.register(options, origin), 'key', noRequest);
    await expect(startPasskeySignIn(deps, noRequest)).rejects.toEqual(
      code('password_login_disabled'),
    );
    const assertion = device.assert(await passkeyOptions(deps), origin);
    await expect(signInWithPasskey(deps, assertion, noRequest)).rejects.toEqual(
      code('password_login_disabled'),
    );
  });

  it('opens a session of the registering session’s lineage, and refuses a disabled user', async () => {
    const deps = testDeps();
    const origin = deps.config.webauthn.origins[0] as string;
    const user = await createUserWithPassword(deps);
    const self = { kind: 'user' as const, user, tokenId: null, origin: 'admin' as const };
    const device = new SoftAuthenticator();
    const options = await startOwnWebAuthn(deps, self, { authTime: deps.clock.now() }, noRequest);
    await finishOwnWebAuthn(deps, self, '', device.register(options, origin), 'key', noRequest);
    const signedIn = await signInWithPasskey(
      deps,
      device.assert(await passkeyOptions(deps), origin),
      noRequest,
    );
    const sid = JSON.parse(
      Buffer.from(signedIn.access_token.split('.')[1] as string, 'base64url').toString(),
    ).sid;
    // An admin-tainted session's passkey opens admin-tainted sessions (credential-lineage.ts).
    expect((await deps.store.getSession(sid))?.origin).toBe('admin');
    const current = (await deps.store.getUser(user.id)) as typeof user;
    await deps.store.updateUser(current, { ...current, status: 'disabled' });
    await expect(
      signInWithPasskey(deps, device.assert(await passkeyOptions(deps), origin), noRequest),
    ).rejects.toEqual(code('account_disabled'));
  });
});
