import { type RequestMeta, recordAudit } from '../audit/audit';
import { bumpCredentialVersion } from '../sessions/credential-version';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { loadUser } from './user-management';
import { type Actor, auditActor, operatorDetail, refuseIf, whyNotSignOut } from './user-policy';

/**
 * The console's "Sign out" on one session of a user: within the role rules, through the store's
 * one revocation (its feed entry written with it, so the authorizer drops the access tokens).
 * Invariant: only a session of this user; any other sid is 404, never a cross-user sign-out.
 */
export const signOutUserSession = async (
  deps: CoreDeps,
  actor: Actor,
  userId: string,
  sid: string,
  meta: RequestMeta,
): Promise<void> => {
  const user = await loadUser(deps, userId);
  refuseIf(whyNotSignOut(actor, user));
  const session = await deps.store.getSession(sid);
  if (session?.userId !== user.id) throw new GatehouseError('not_found', 'No such session.');
  if (session.revokedAt !== null) return;
  await deps.store.revokeSession(sid, deps.clock.now());
  await recordAudit(deps, meta, {
    action: 'user.sign_out',
    ...auditActor(actor),
    targetId: user.id,
    detail: { sid, ...operatorDetail(actor) },
  });
};

/** "Sign out everywhere": the version first, so a sign-in in flight opens nothing lasting. */
export const signOutUserEverywhere = async (
  deps: CoreDeps,
  actor: Actor,
  userId: string,
  meta: RequestMeta,
): Promise<number> => {
  const user = await loadUser(deps, userId);
  refuseIf(whyNotSignOut(actor, user));
  await bumpCredentialVersion(deps, user.id);
  const ended = await deps.store.revokeUserSessions(user.id, deps.clock.now());
  await recordAudit(deps, meta, {
    action: 'user.sign_out_all',
    ...auditActor(actor),
    targetId: user.id,
    detail: { sessions: ended, ...operatorDetail(actor) },
  });
  return ended;
};
