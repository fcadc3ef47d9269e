import type { UserRecord } from '../../../src/core/users/users';
import { emailKey } from '../../../src/core/users/users';
import { tryCredential } from './judge';
import { type Credential, rank, type World } from './world';

export type Invariant = 'roles' | 'revocation' | 'one-account';

class Broken extends Error {}

const describe = (world: World, cred: Credential) =>
  `${cred.kind} #${cred.id} made by ${cred.maker} (entitled ${world.entitled.get(cred.maker) ?? 'nothing'}) ` +
  `for the account of ${world.personOf.get(cred.accountId) ?? '?'}`;

const fail = (world: World, message: string): never => {
  throw new Broken(`${message}\n  steps:\n    ${world.trace.join('\n    ')}`);
};

/**
 * (a) No credential authenticates with a role above the highest role an owner or a group
 * mapping gave the person who made it. (Credentials a person made themselves carry what that
 * person was given; an owner's carry anything.) A password is only tried when the account's
 * role is above its maker's entitlement: a sign-in answers the stored role, so nothing else
 * can break (a), and bcrypt stays off the common path.
 */
const checkRoles = async (world: World) => {
  for (const cred of world.creds) {
    if (cred.vouched) continue;
    const entitled = world.entitled.get(cred.maker);
    if (cred.kind === 'password') {
      const account = await world.deps.store.getUser(cred.accountId);
      if (!account || rank(account.role) <= rank(entitled)) continue;
    }
    const verdict = await tryCredential(world, cred);
    if (verdict.works && rank(verdict.role) > rank(entitled)) {
      fail(world, `(a) ${describe(world, cred)} authenticates as ${verdict.role}`);
    }
  }
};

/**
 * (b) A credential ended by a revoking action (the model's `diedAt`) never works once the
 * revocation bound has passed (every revoking step moves the clock past it); an API token or
 * password of a disabled account fails while it stays disabled. Dead passwords are tried once
 * (each try costs bcrypt and a lockout count).
 */
const checkRevocation = async (world: World) => {
  const now = world.deps.clock.now();
  const bound = world.deps.config.revocationCacheSeconds * 1000;
  for (const cred of world.creds) {
    const endedAt = cred.diedAt ?? cred.suspendedAt ?? null;
    if (endedAt === null || now < endedAt + bound) continue;
    if (cred.kind === 'password') {
      if (cred.triedDead) continue;
      cred.triedDead = true;
    }
    const verdict = await tryCredential(world, cred);
    if (verdict.works) {
      fail(
        world,
        `(b) ${describe(world, cred)} still works as ${verdict.role} after "${cred.why ?? 'disable'}"`,
      );
    }
  }
};

const allUsers = async (world: World): Promise<UserRecord[]> => {
  const users: UserRecord[] = [];
  let after: Record<string, string> | undefined;
  do {
    const page = await world.deps.store.listUsers({ limit: 100, ...(after ? { after } : {}) });
    users.push(...page.items);
    after = page.next ?? undefined;
  } while (after);
  return users;
};

/**
 * (d) One account per normalized email, and per federated identity where users carry
 * `identities` (contract v2): whatever the spellings the steps used.
 */
const checkOneAccount = async (world: World) => {
  const byEmail = new Map<string, string>();
  const byIdentity = new Map<string, string>();
  for (const user of await allUsers(world)) {
    const key = emailKey(user.email);
    if (user.emailKey !== key) fail(world, `(d) ${user.email} is kept under ${user.emailKey}`);
    const other = byEmail.get(key);
    if (other) fail(world, `(d) accounts ${other} and ${user.id} share ${key}`);
    byEmail.set(key, user.id);
    const identities = (user as { identities?: { provider: string; subject: string }[] })
      .identities;
    for (const identity of identities ?? []) {
      const id = `${identity.provider} ${identity.subject}`;
      const holder = byIdentity.get(id);
      if (holder && holder !== user.id)
        fail(world, `(d) accounts ${holder} and ${user.id} share ${id}`);
      byIdentity.set(id, user.id);
    }
  }
};

export const CHECKS: Record<Invariant, (world: World) => Promise<void>> = {
  roles: checkRoles,
  revocation: checkRevocation,
  'one-account': checkOneAccount,
};
