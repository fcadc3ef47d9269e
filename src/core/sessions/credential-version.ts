import type { CoreDeps } from '../shared/deps';
import { isGatehouseError } from '../shared/errors';
import type { UserRecord } from '../users/users';

/**
 * Invariant (credential version): every credential a user holds that outlives one request (a
 * session and its refresh tokens, a mailed link, an authorization code) records the user's
 * `credentialVersion` when it was made, and works only while the user still has that version.
 * A password change or reset, a takeover, a role or status change, an applied email change
 * and sign-out everywhere move the version in the same atomic user write, so anything made
 * from a read before that write (a sign-in in flight, an old link) is void after it. Sessions
 * are created conditionally on the version (Store.createSession), so none slips in between.
 */
export const credentialVersionOf = (user: { credentialVersion?: number }): number =>
  user.credentialVersion ?? 0;

/** The field to spread into the `after` of a user write that must void earlier credentials. */
export const nextCredentialVersion = (before: UserRecord): { credentialVersion: number } => ({
  credentialVersion: credentialVersionOf(before) + 1,
});

/**
 * Moves the version alone (sign-out everywhere), as a conditional user write: retried on a
 * concurrent change, since any later write carries the moved version on from its fresh read.
 */
export const bumpCredentialVersion = async (deps: CoreDeps, userId: string): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    const before = await deps.store.getUser(userId);
    if (!before) return;
    try {
      await deps.store.updateUser(before, {
        ...before,
        ...nextCredentialVersion(before),
        updatedAt: Math.max(deps.clock.now(), before.updatedAt + 1),
      });
      return;
    } catch (error) {
      if (!(isGatehouseError(error) && error.code === 'conflict') || attempt >= 5) throw error;
    }
  }
};
