import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import type { ApiTokenRecord } from '../tokens/api-tokens';
import { isVouched } from './credential-lineage';
import { roleRank } from './roles';
import { linkingOf, type UserRecord } from './users';

/**
 * The one "kept on raise" rule, for an owner's raise and a group-sync raise alike.
 * Invariant: no credential an admin made or influenced ever carries a role above editor (the
 * most an admin may give); only credentials the person made untainted, or an owner (or the
 * operator/an import) made, carry a raised role. So on any raise above editor, before the
 * raise is saved (a failed clean-up leaves the old role): every session ends, every API token
 * not made untainted by the person or by an owner is revoked, and the password is removed
 * unless its origin is known and vouched (self untainted, owner, operator, import; an unknown,
 * legacy origin is removed). Origins: credential-lineage.ts.
 */
export const raisesAboveAdminReach = (before: UserRecord, after: UserRecord): boolean =>
  roleRank(after.role) > roleRank('editor') && roleRank(after.role) > roleRank(before.role);

/** The password survives a raise only when its origin is known and vouched. */
export const passwordKeptOnRaise = (user: UserRecord): boolean =>
  user.passwordHash === null || isVouched(user.passwordSetBy);

/** The password fields of the raised account: unchanged, or removed. */
export const passwordOnRaise = (user: UserRecord): Partial<UserRecord> =>
  passwordKeptOnRaise(user) ? {} : { passwordHash: null, passwordSetBy: null };

/**
 * An owner raises above editor only an account whose email is proven and was not set by an
 * admin: otherwise whoever holds that address (an admin's alias at the IdP, say) could take
 * the raised account through a mailed link or a login.
 */
export const assertEmailMayBeRaised = (user: UserRecord): void => {
  if (linkingOf(user).emailVerified && user.emailSetBy !== 'admin') return;
  throw new GatehouseError(
    'conflict',
    'The email must be proven first: it is unproven or an admin set it. Set it as an owner, or have the person verify their own address.',
  );
};

/** A token carries a raise when the person made it untainted, or a current owner made it. */
const tokenKept = async (
  token: ApiTokenRecord,
  user: UserRecord,
  isOwner: (id: string) => Promise<boolean>,
): Promise<boolean> =>
  (token.createdBy === user.id && isVouched(token.origin)) ||
  (token.createdBy !== user.id && (await isOwner(token.createdBy)));

/**
 * Ends what must not carry the raise, before it is saved: every session, and every API token
 * the rule does not keep (`everyToken`: all of them, as the contract asks of group sync).
 * Callers sweep the sessions once more after saving (one opened meanwhile dies too).
 */
export const cleanUpBeforeRaise = async (
  deps: CoreDeps,
  user: UserRecord,
  at: number,
  options: { everyToken?: boolean; keepSid?: string } = {},
): Promise<void> => {
  await deps.store.revokeUserSessions(user.id, at, { keepSid: options.keepSid });
  if (options.everyToken) {
    await deps.store.revokeUserApiTokens(user.id, at);
    return;
  }
  await revokeTokensNotKept(deps, user, at);
};

const revokeTokensNotKept = async (deps: CoreDeps, user: UserRecord, at: number) => {
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
      if (!(await tokenKept(token, user, isOwner)))
        await deps.store.revokeApiToken(token.tokenId, at);
    }
    after = page.next ?? undefined;
  } while (after);
};
