import type { RequestMeta } from '../../core/audit/audit';
import { accountLockoutKey } from '../../core/sessions/lockout';
import { startSession } from '../../core/sessions/sessions';
import type { CoreDeps } from '../../core/shared/deps';
import type { CredentialOrigin } from '../../core/users/credential-lineage';
import type { UserRecord } from '../../core/users/users';

/**
 * The browser session of a passkey sign-in, after `verifyPasskey` checked the assertion (user
 * verification, counter spent). A passkey is the second factor itself, so no gate; a completed
 * sign-in clears the failure count in the session's own write, as the password's does.
 */
export const passkeySession = async (
  deps: CoreDeps,
  verified: { user: UserRecord; amr: string[]; origin: CredentialOrigin },
  meta: RequestMeta,
): Promise<string> => {
  const { user, amr } = verified;
  const tokens = await startSession(deps, user, null, {
    browser: true,
    // The lineage of the session that registered the key: no laundering through a passkey.
    origin: verified.origin,
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
  return tokens.browserSession as string;
};
