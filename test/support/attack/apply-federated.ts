import type { SsoSignIn } from '../../../src/core/identity/sso-sign-in';
import { roleRank } from '../../../src/core/users/roles';
import type { UserRecord } from '../../../src/core/users/users';
import { addSession, kill } from './acting';
import type { Person, World } from './world';

/**
 * The model's side of a federated login (JWT SSO or OIDC), whatever it answered. `known` is
 * the account the login would reach, as the store had it before; `reached` finds the account
 * afterwards when the login was refused (a first login may still have made a pending one).
 */
export const afterFederatedLogin = async (
  world: World,
  who: Person,
  known: UserRecord | null,
  result: SsoSignIn | null,
  reached: () => Promise<UserRecord | null>,
): Promise<void> => {
  // A refused first login's (pending) account is this person's; a refused login to an
  // existing account linked nothing the model can be sure of.
  const account = result?.user ?? (await reached()) ?? undefined;
  if (account && (result || !known)) {
    world.personOf.set(account.id, who);
    const before = known?.id === account.id ? known.role : null;
    if (before && before !== account.role) {
      const raised = roleRank(account.role) > roleRank(before);
      kill(world, `role change by group sync (${before} to ${account.role})`, (c) => {
        if (c.accountId !== account.id) return false;
        return ['access', 'refresh', 'browser'].includes(c.kind) || (raised && c.kind === 'api');
      });
    }
  }
  if (result) addSession(world, who, result.tokens);
};
