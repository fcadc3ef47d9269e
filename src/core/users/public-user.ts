import { userMfaSummary } from '../mfa';
import type { CoreDeps } from '../shared/deps';
import { type PublicUser, toPublicUser, type UserRecord } from './users';

/**
 * A user as an answer shows them, `mfa` included: derived from their confirmed factors on
 * every read (one consistent Query; docs/mfa.md says why it is not stored on the user).
 */
export const showUser = async (deps: CoreDeps, user: UserRecord): Promise<PublicUser> =>
  toPublicUser(user, await userMfaSummary(deps, user.id));
