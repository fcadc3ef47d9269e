import { signUp } from '../../../src/core/account/self-service';
import { noRequest } from '../../../src/core/audit/audit';
import { importUsers } from '../../../src/core/users/user-import';
import {
  approveUser,
  createUser,
  deleteUser,
  rejectUser,
  resetPassword,
  updateUser,
} from '../../../src/core/users/user-management';
import { emailKey } from '../../../src/core/users/users';
import { accounts, actingAs, addCredential, kill, newPassword, nth, sessionsOf } from './acting';
import type { Op } from './ops';
import { EMAILS, grant, lower, MAILBOX, mailboxOf, PEOPLE, spell, type World } from './world';

/** Steps that make, change or remove accounts. Refusals are the code's to make. */

const everything = (accountId: string) => (c: { accountId: string }) => c.accountId === accountId;

export const signUpStep = async (world: World, op: Extract<Op, { op: 'signUp' }>) => {
  const who = PEOPLE[op.who % PEOPLE.length] ?? 'eve';
  const email = spell(EMAILS[op.email] ?? EMAILS[0], op.spelling);
  const password = newPassword(world);
  const user = await signUp(world.deps, { email, password }, noRequest);
  world.personOf.set(user.id, who);
  grant(world, who, world.deps.config.account.signUpRole);
  addCredential(world, {
    kind: 'password',
    secret: password,
    login: email,
    accountId: user.id,
    maker: who,
  });
  return `${who} signed up as ${email} (${user.status})`;
};

export const createStep = async (world: World, op: Extract<Op, { op: 'create' }>) => {
  const acting = await actingAs(world, op.actor, 'users:write');
  if (!acting) return 'no acting credential';
  const email = spell(EMAILS[op.email] ?? EMAILS[0], op.spelling);
  const password = op.password ? newPassword(world) : undefined;
  const user = await createUser(
    world.deps,
    acting.actor,
    {
      email,
      role: op.role,
      ...(password ? { password } : {}),
      ...(op.pending ? { status: 'pending' as const } : {}),
    },
    noRequest,
  );
  const person = mailboxOf(email);
  if (person) world.personOf.set(user.id, person);
  grant(world, person, lower(op.role, world.entitled.get(acting.person)));
  if (password) {
    addCredential(world, {
      kind: 'password',
      secret: password,
      login: email,
      accountId: user.id,
      maker: acting.person,
    });
  }
  return `${acting.person} created ${email} as ${op.role}`;
};

const targetOf = (world: World, n: number) => nth(accounts(world), n);

export const setRoleStep = async (world: World, op: Extract<Op, { op: 'setRole' }>) => {
  const acting = await actingAs(world, op.actor, 'users:write');
  const target = targetOf(world, op.target);
  if (!acting || !target) return 'no actor or target';
  const before = await world.deps.store.getUser(target);
  await updateUser(world.deps, acting.actor, target, { role: op.role }, noRequest);
  grant(world, world.personOf.get(target), lower(op.role, world.entitled.get(acting.person)));
  if (before && before.role !== op.role) kill(world, 'role change', sessionsOf(target));
  return `${acting.person} made ${before?.email} ${op.role}`;
};

export const setStatusStep = async (world: World, op: Extract<Op, { op: 'setStatus' }>) => {
  const acting = await actingAs(world, op.actor, 'users:write');
  const target = targetOf(world, op.target);
  if (!acting || !target) return 'no actor or target';
  const status = op.enabled ? 'active' : 'disabled';
  const before = await world.deps.store.getUser(target);
  await updateUser(world.deps, acting.actor, target, { status }, noRequest);
  const now = world.deps.clock.now();
  for (const c of world.creds) {
    if (c.accountId === target && (c.kind === 'api' || c.kind === 'password')) {
      c.suspendedAt = op.enabled ? null : (c.suspendedAt ?? now);
      c.triedDead = false;
    }
  }
  if (before?.status === 'active' && !op.enabled) {
    kill(world, 'disable', sessionsOf(target));
    world.deps.clock.advance(world.deps.config.revocationCacheSeconds + 1);
  }
  return `${acting.person} set ${before?.email} ${status}`;
};

export const changeEmailStep = async (world: World, op: Extract<Op, { op: 'changeEmail' }>) => {
  const acting = await actingAs(world, op.actor, 'users:write');
  const target = targetOf(world, op.target);
  if (!acting || !target) return 'no actor or target';
  const email = spell(EMAILS[op.email] ?? EMAILS[0], op.spelling);
  const after = await updateUser(world.deps, acting.actor, target, { email }, noRequest);
  // Whoever reads that mailbox may now take the account over (a reset link): the actor gave
  // its role to that person, as far as the actor's own entitlement reaches.
  grant(world, mailboxOf(email), lower(after.role, world.entitled.get(acting.person)));
  if (world.entitled.get(acting.person) === 'owner') {
    const person = world.personOf.get(target);
    for (const c of world.creds) {
      if (c.accountId === target && c.maker === person && c.diedAt === null) c.vouched = true;
    }
  }
  return `${acting.person} changed the email of ${world.personOf.get(target)}'s account to ${email}`;
};

export const adminResetStep = async (world: World, op: Extract<Op, { op: 'adminReset' }>) => {
  const acting = await actingAs(world, op.actor, 'users:write');
  const target = targetOf(world, op.target);
  if (!acting || !target) return 'no actor or target';
  const chosen = op.generated ? undefined : newPassword(world);
  const result = await resetPassword(world.deps, acting.actor, target, chosen, noRequest);
  const password = chosen ?? result.generatedPassword;
  kill(
    world,
    'admin password reset',
    (c) => c.accountId === target && ['password', 'access', 'refresh', 'browser'].includes(c.kind),
  );
  if (password) {
    const user = await world.deps.store.getUser(target);
    addCredential(world, {
      kind: 'password',
      secret: password,
      login: user?.email ?? '',
      accountId: target,
      maker: acting.person,
    });
  }
  return `${acting.person} reset the password of ${world.personOf.get(target)}'s account`;
};

export const decideStep = async (world: World, op: Extract<Op, { op: 'decide' }>) => {
  const acting = await actingAs(world, op.actor, 'users:write');
  const target = targetOf(world, op.target);
  if (!acting || !target) return 'no actor or target';
  if (op.approve) {
    await approveUser(world.deps, acting.actor, target, noRequest);
    return `${acting.person} approved ${world.personOf.get(target)}'s account`;
  }
  await rejectUser(world.deps, acting.actor, target, noRequest);
  kill(world, 'reject', everything(target));
  return `${acting.person} rejected ${world.personOf.get(target)}'s account`;
};

export const deleteStep = async (world: World, op: Extract<Op, { op: 'delete' }>) => {
  const acting = await actingAs(world, op.actor, 'users:write');
  const target = targetOf(world, op.target);
  if (!acting || !target) return 'no actor or target';
  await deleteUser(world.deps, acting.actor, target, noRequest);
  kill(world, 'delete', everything(target));
  return `${acting.person} deleted ${world.personOf.get(target)}'s account`;
};

/** users.json through the operator CLI: the operator vouches for each address's owner. */
export const importStep = async (world: World, op: Extract<Op, { op: 'import' }>) => {
  const rows = op.emails.map((i) => ({ email: EMAILS[i] ?? EMAILS[0], name: 'Imported' }));
  await importUsers(world.deps, { kind: 'operator', name: 'cli' }, rows);
  for (const row of rows) {
    const user = await world.deps.store.findUserByEmail(emailKey(row.email));
    if (user && !world.personOf.has(user.id)) {
      world.personOf.set(user.id, MAILBOX[row.email] ?? 'eve');
      grant(world, MAILBOX[row.email], 'viewer');
    }
  }
  return `imported ${rows.map((r) => r.email).join(' ')}`;
};
