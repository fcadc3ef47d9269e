import type { RequestMeta } from '../../core/audit/audit';
import { applyProviderFacts } from '../../core/identity/sso-account';
import { sweepAfterSession } from '../../core/identity/takeover';
import type { MfaTokenRecord } from '../../core/mfa/mfa-tokens';
import { credentialVersionOf } from '../../core/sessions/credential-version';
import { accountLockoutKey } from '../../core/sessions/lockout';
import { startSession } from '../../core/sessions/sessions';
import type { CoreDeps } from '../../core/shared/deps';
import { GatehouseError } from '../../core/shared/errors';
import { type CredentialOrigin, passwordOrigin } from '../../core/users/credential-lineage';
import type { UserRecord } from '../../core/users/users';

/** The credential origin of a session finished by a factor, by how its first step went. */
const originOf = (
  method: MfaTokenRecord['context']['method'],
  user: UserRecord,
): CredentialOrigin =>
  method === 'sso' ? 'sso' : method === 'federated' ? 'provider' : passwordOrigin(user);

/**
 * After `verifyMfaCode` spent the token and the code: the browser session the first step was
 * held from. Only a completed sign-in clears the failure count (in the session's own write).
 */
export const factorSession = async (
  deps: CoreDeps,
  verified: { token: MfaTokenRecord; amr: string[] },
  meta: RequestMeta,
): Promise<{ user: UserRecord; browserSession: string }> => {
  const { token } = verified;
  const found = await deps.store.getUser(token.userId);
  if (!found) throw new GatehouseError('token_invalid', 'The account of this sign-in is gone.');
  // A credential change since the first step (a reset, sign-out everywhere) ends this sign-in,
  // as on the API (finishMfaSignIn).
  const version = token.context.credentialVersion;
  if (version !== undefined && credentialVersionOf(found) !== version) {
    throw new GatehouseError('token_invalid', 'This sign-in is over: sign in again.');
  }
  // A provider's login held for the factor (sso-sign-in.ts, pending-link.ts): written now, only now.
  const { provider } = token.context;
  const { user, cleanUp } = provider
    ? await applyProviderFacts(deps, provider, found.id, meta)
    : { user: found, cleanUp: null };
  const tokens = await startSession(deps, user, null, {
    browser: true,
    origin: originOf(token.context.method, user),
    // The first step's methods and the factor's (`otp`, `mfa`), kept through refresh.
    amr: verified.amr,
    clearsLoginFailures: accountLockoutKey(user.id),
    audit: {
      meta,
      entry: {
        action: 'auth.sign_in',
        actorId: user.id,
        targetId: user.id,
        outcome: 'success',
        detail: { method: token.context.method, second_factor: true },
      },
    },
  });
  const browserSession = tokens.browserSession as string;
  // As at a login with no factor: after a takeover or role raise, only the new session survives.
  await sweepAfterSession(deps, cleanUp, user.id, meta, browserSession.split('.')[0]);
  return { user, browserSession };
};
