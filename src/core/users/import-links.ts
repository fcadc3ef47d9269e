import { type RequestMeta, recordAudit } from '../audit/audit';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { isAtLeast } from './roles';
import { type Actor, auditActor, operatorDetail } from './user-policy';
import { linkingOf, sameIdentity, type UserRecord } from './users';

/** A users.json row's `sub` as the identity it pre-links: (USERS_IMPORT_PROVIDER, sub). */
export interface ImportedIdentity {
  provider: string;
  subject: string;
}

const refused = (reason: string) => new GatehouseError('conflict', `sub: ${reason}`);

/**
 * Whether an import may link `identity` to the row's user (`existing`, or a user it creates).
 * Invariant: an identity linked to one user is never moved to another by an import; and an
 * account whose email nobody proved (a sign-up's) is never handed someone's identity, since
 * whoever signed it up would then be signed in as them; nor is an admin's or owner's (matched
 * by email alone), which would make whoever holds the sub an admin or owner.
 */
export const assertLinkable = async (
  deps: CoreDeps,
  existing: UserRecord | null,
  identity: ImportedIdentity | null,
): Promise<void> => {
  if (!identity) return;
  // A file's email match is an email match: an admin or owner account is never linked by
  // email alone (API.md, Account linking), so an import may not hand it an identity either.
  if (
    existing &&
    isAtLeast(existing.role, 'admin') &&
    !linkingOf(existing).identities.some(sameIdentity(identity))
  ) {
    throw refused(
      'not linked: an admin or owner account is linked only at its own sign-in (with its password) or when an owner creates it with the identity.',
    );
  }
  const holder = await deps.store.findUserByIdentity(identity.provider, identity.subject);
  if (holder && holder.id !== existing?.id) throw refused('already linked to another user.');
  if (existing && !holder && !linkingOf(existing).emailVerified) {
    throw refused("not linked: the account's email is unproven (verify it first).");
  }
};

/**
 * Links the identity to an existing user (atomically: the store refuses it if another user
 * took it meanwhile); false when the user already has it.
 */
export const linkIdentity = async (
  deps: CoreDeps,
  actor: Actor,
  userId: string,
  identity: ImportedIdentity,
  meta: RequestMeta,
): Promise<boolean> => {
  const before = await deps.store.getUser(userId);
  if (!before) throw new GatehouseError('conflict', 'The user was deleted meanwhile.');
  const { identities } = linkingOf(before);
  if (identities.some(sameIdentity(identity))) return false;
  const now = deps.clock.now();
  await deps.store.updateUser(before, {
    ...before,
    identities: [...identities, { ...identity, linkedAt: now }],
    updatedAt: Math.max(now, before.updatedAt + 1),
  });
  await recordAudit(deps, meta, {
    action: 'user.link',
    ...auditActor(actor),
    targetId: userId,
    detail: { ...identity, takeover: false, ...operatorDetail(actor) },
  });
  return true;
};
