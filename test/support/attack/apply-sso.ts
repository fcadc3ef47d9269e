import { SignJWT } from 'jose';
import { noRequest } from '../../../src/core/audit/audit';
import { signInWithSso } from '../../../src/core/identity/sso-sign-in';
import { toSeconds } from '../../../src/core/shared/clock';
import { type Role, roleRank } from '../../../src/core/users/roles';
import { emailKey } from '../../../src/core/users/users';
import { afterFederatedLogin } from './apply-federated';
import type { Op } from './ops';
import { GROUP_MAPPINGS, GROUPS, grant, IDP_EMAIL, IDP_PEOPLE, spell, type World } from './world';

/** An identity-provider person's JWT SSO login, with the groups the provider gives them. */

/** What the mapping gives for these groups (computed here, not by the code under test). */
const mappedRole = (groups: string[]): Role =>
  groups
    .map((g) => GROUP_MAPPINGS[g])
    .filter((r): r is Role => r !== undefined)
    .reduce<Role>((best, r) => (roleRank(r) > roleRank(best) ? r : best), 'viewer');

export const ssoStep = async (world: World, op: Extract<Op, { op: 'sso' }>) => {
  const who = IDP_PEOPLE[op.who % IDP_PEOPLE.length] ?? 'ceo';
  const groups = op.groups.map((g) => GROUPS[g] ?? 'g-staff');
  const email = spell(IDP_EMAIL[who], op.spelling);
  const iat = toSeconds(world.deps.clock.now());
  world.counter += 1;
  const token = await new SignJWT({ email, first_name: who, groups })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 120)
    .setJti(`login-${world.counter}`)
    .sign(Buffer.from(world.deps.config.sso?.jwtSecret ?? '', 'utf8'));
  const known = await world.deps.store.findUserByEmail(emailKey(email));
  // The provider's word on the groups is the entitlement, whatever the login's outcome.
  grant(world, who, mappedRole(groups));
  let refusal: unknown = null;
  const result = await signInWithSso(world.deps, world.verifySso, token, noRequest).catch(
    (error: unknown) => {
      refusal = error;
      return null;
    },
  );
  await afterFederatedLogin(world, who, known, result, () =>
    world.deps.store.findUserByEmail(emailKey(email)),
  );
  if (!result) throw refusal;
  return `${who} signed in through SSO as ${email} with [${groups.join(' ')}]: ${result.user.role}`;
};
