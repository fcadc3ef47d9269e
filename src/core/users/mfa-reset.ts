import { factorNotice } from '../account/account-emails';
import type { RequestMeta } from '../audit/audit';
import { clearFactors } from '../mfa';
import { bumpCredentialVersion } from '../sessions/credential-version';
import type { CoreDeps } from '../shared/deps';
import { loadUser } from './user-management';
import { type Actor, actorId, assertCanEdit } from './user-policy';

/** The version first: a sign-in in flight cannot open a session after the sweep. */
const signOut = async (deps: CoreDeps, id: string) => {
  await bumpCredentialVersion(deps, id);
  await deps.store.revokeUserSessions(id, deps.clock.now());
};

/**
 * `DELETE /users/{id}/mfa` and `gatehouse users mfa-reset` (a lost phone): every session of the
 * user ends, then every factor and recovery code of theirs goes, and they are mailed.
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
  // Invariant: a reset that fails part way leaves the user signed out, never the keys in use
  // by a live session: the sessions end before the factors go.
  await signOut(deps, id);
  const cleared = await clearFactors(deps, actorId(actor), id, meta);
  // Again: a sign-in with a factor in flight during the clearing opened no lasting session.
  await signOut(deps, id);
  if (cleared > 0 && user.type === 'human') {
    await deps.mail.enqueue([factorNotice(deps.config.issuerUrl, user.email, 'reset')]);
  }
};
