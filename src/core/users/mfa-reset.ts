import { factorNotice } from '../account/account-emails';
import type { RequestMeta } from '../audit/audit';
import { clearFactors } from '../mfa';
import { bumpCredentialVersion } from '../sessions/credential-version';
import type { CoreDeps } from '../shared/deps';
import { loadUser } from './user-management';
import { type Actor, actorId, assertCanEdit } from './user-policy';

/**
 * `DELETE /users/{id}/mfa` and `gatehouse users mfa-reset` (a lost phone): every factor and
 * recovery code of the user goes, then every session of theirs ends, and they are mailed.
 * Within the role rules, and never one's own: without a step-up proof, an access token alone
 * must not strip its own account's second factor (that is `DELETE /me/mfa/{id}` with proof).
 */
export const resetUserFactors = async (
  deps: CoreDeps,
  actor: Actor,
  id: string,
  meta: RequestMeta,
): Promise<void> => {
  const user = await loadUser(deps, id);
  assertCanEdit(actor, user);
  const cleared = await clearFactors(deps, actorId(actor), id, meta);
  // The version first: a sign-in in flight cannot open a session after the sweep.
  await bumpCredentialVersion(deps, id);
  await deps.store.revokeUserSessions(id, deps.clock.now());
  if (cleared > 0 && user.type === 'human') {
    await deps.mail.enqueue([factorNotice(deps.config.issuerUrl, user.email, 'reset')]);
  }
};
