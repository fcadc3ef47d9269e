import { type RequestMeta, recordAudit } from '../audit/audit';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { loadUser } from '../users/user-management';
import { type Actor, assertCanUnlink, auditActor, operatorDetail } from '../users/user-policy';
import {
  emailKey,
  type FederatedIdentity,
  JWT_PROVIDER,
  linkingOf,
  type PublicUser,
  sameIdentity,
  toPublicUser,
  type UserRecord,
} from '../users/users';

type IdentityKey = Pick<FederatedIdentity, 'provider' | 'subject'>;

/** HS256 JWT SSO's subject is the normalized email: an owner may name it as typed. */
const storedForm = (identity: IdentityKey): IdentityKey =>
  identity.provider === JWT_PROVIDER
    ? { provider: identity.provider, subject: emailKey(identity.subject) }
    : identity;

/**
 * Removes one federated identity from a user (owner or operator only), audited `user.unlink`.
 *
 * Invariant: unlinking only takes a way in away. The identity's next login is a stranger's,
 * judged afresh by planLink (account-linking.ts): linked by email only to a proven,
 * non-admin account at a provider trusted for emails (an admin or owner needs the account's
 * own password on the hosted page), else a new account at the provider's default role. So
 * unlink + relink reaches only an account that login could reach with a fresh identity, and
 * raises no role: the role is the account's (and group sync's), never the link's. Only an
 * owner unlinks, and an owner can already give anyone any role.
 *
 * Sessions and API tokens are NOT ended (as Keycloak): they were opened by a login that was
 * right when it happened, and unlinking governs only future logins. To cut a person off now,
 * disable the user (every session ends), then unlink. The password, email proof and role are
 * untouched. So a login that read the link just before the unlink and finishes just after it
 * is no new hole: it is the same as one that finished a moment earlier.
 */
export const unlinkIdentity = async (
  deps: CoreDeps,
  actor: Actor,
  userId: string,
  identity: IdentityKey,
  meta: RequestMeta,
): Promise<PublicUser> => {
  assertCanUnlink(actor);
  const before = await loadUser(deps, userId);
  const wanted = storedForm(identity);
  const { identities, emailVerified } = linkingOf(before);
  const kept = identities.filter((linked) => !sameIdentity(wanted)(linked));
  if (kept.length === identities.length) {
    throw new GatehouseError('not_found', 'This user has no such linked identity.');
  }
  const after: UserRecord = {
    ...before,
    identities: kept,
    // Frozen as read: a user stored before linking derives the proof from ssoLinkedAt.
    emailVerified,
    updatedAt: Math.max(deps.clock.now(), before.updatedAt + 1),
  };
  // Conditional on the user as read: a concurrent sign-in or edit is 409, never lost.
  await deps.store.updateUser(before, after);
  await recordAudit(deps, meta, {
    action: 'user.unlink',
    ...auditActor(actor),
    targetId: userId,
    detail: { provider: wanted.provider, subject: wanted.subject, ...operatorDetail(actor) },
  });
  return toPublicUser(after);
};
