import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { RequestMeta } from '../audit/audit';
import { passkeyOptions, verifyPasskey } from '../mfa';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { accountRateLimits, enforceRateLimits } from '../shared/rate-limits';
import { accountLockoutKey } from './lockout';
import { startSession, type TokenResponse } from './sessions';

/** Passkeys replace the password: off with it (API.md), break-glass stays password-only. */
const assertPasskeysOn = (deps: CoreDeps) => {
  if (!deps.config.passwordLoginEnabled) {
    throw new GatehouseError(
      'password_login_disabled',
      'Sign-in without SSO is turned off: sign in through SSO.',
    );
  }
};

/** `POST /auth/passkey/options`: a passkey challenge, under the per-IP limit of public routes. */
export const startPasskeySignIn = async (
  deps: CoreDeps,
  meta: RequestMeta,
): Promise<PublicKeyCredentialRequestOptionsJSON> => {
  assertPasskeysOn(deps);
  await enforceRateLimits(deps, accountRateLimits(deps, meta.ip, null));
  return passkeyOptions(deps);
};

/**
 * `POST /auth/passkey/verify {credential}`: a verified passkey (user verification required)
 * opens a client-less session with amr ["hwk","mfa"], which satisfies MFA_REQUIRED_ROLES: the
 * passkey is the second factor, so no gate follows. The session clears the failure count in
 * its own write, and carries the lineage of the session that registered the passkey.
 */
export const signInWithPasskey = async (
  deps: CoreDeps,
  credential: AuthenticationResponseJSON,
  meta: RequestMeta,
  options: { browser?: boolean } = {},
): Promise<TokenResponse & { browserSession?: string }> => {
  assertPasskeysOn(deps);
  await enforceRateLimits(deps, accountRateLimits(deps, meta.ip, null));
  const { user, amr, origin } = await verifyPasskey(deps, credential, meta);
  return startSession(deps, user, null, {
    browser: options.browser ?? false,
    origin,
    amr,
    clearsLoginFailures: accountLockoutKey(user.id),
    audit: {
      meta,
      entry: {
        action: 'auth.sign_in',
        actorId: user.id,
        targetId: user.id,
        outcome: 'success',
        detail: { method: 'passkey' },
      },
    },
  });
};
