import type { CoreDeps } from './deps';
import { roleRank } from './roles';
import type { UserRecord } from './users';

/**
 * Invariant: no credential an admin made ever carries a role above editor, the highest an
 * admin may give. When an owner raises an account above that, a password an admin set and
 * API tokens someone other than the person or an owner made stop, before the new role is
 * used. (Group sync's raises go further: account-linking.ts.)
 */
export const raisesAboveAdminReach = (before: UserRecord, after: UserRecord): boolean =>
  roleRank(after.role) > roleRank('editor') && roleRank(after.role) > roleRank(before.role);

/** The password fields for an owner's raise: an admin's password is removed. */
export const passwordOnOwnerRaise = (user: UserRecord): Partial<UserRecord> =>
  user.passwordSetBy === 'admin' ? { passwordHash: null, passwordSetBy: null } : {};

/** Revokes the account's API tokens made by anyone but the person or a current owner. */
export const revokeTokensMadeByOthers = async (
  deps: CoreDeps,
  user: UserRecord,
  at: number,
): Promise<number> => {
  let revoked = 0;
  let after: Record<string, string> | undefined;
  const owners = new Map<string, boolean>();
  const isOwner = async (id: string) => {
    if (!owners.has(id)) owners.set(id, (await deps.store.getUser(id))?.role === 'owner');
    return owners.get(id) === true;
  };
  do {
    const page = await deps.store.listApiTokens({
      userId: user.id,
      includeRevoked: false,
      limit: 100,
      ...(after ? { after } : {}),
    });
    for (const token of page.items) {
      if (token.createdBy === user.id || (await isOwner(token.createdBy))) continue;
      await deps.store.revokeApiToken(token.tokenId, at);
      revoked += 1;
    }
    after = page.next ?? undefined;
  } while (after);
  return revoked;
};
