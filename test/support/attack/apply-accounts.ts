import { SignJWT } from 'jose';
import { noRequest } from '../../../src/core/audit';
import { toSeconds } from '../../../src/core/clock';
import { issueOneTimeToken } from '../../../src/core/one-time-tokens';
import { type Role, roleRank } from '../../../src/core/roles';
import { resetPasswordWithToken, signUp, verifyEmail } from '../../../src/core/self-service';
import { signInWithSso } from '../../../src/core/sso-sign-in';
import { importUsers } from '../../../src/core/user-import';
import {
  approveUser,
  createUser,
  deleteUser,
  rejectUser,
  resetPassword,
  updateUser,
} from '../../../src/core/user-management';
import { emailKey } from '../../../src/core/users';
import {
  accounts,
  actingAs,
  addCredential,
  addSession,
  kill,
  newPassword,
  nth,
  sessionsOf,
} from './acting';
import type { Op } from './ops';
import {
  EMAILS,
  GROUP_MAPPINGS,
  GROUPS,
  grant,
  IDP_EMAIL,
  IDP_PEOPLE,
  lower,
  MAILBOX,
  mailboxOf,
  PEOPLE,
  spell,
  type World,
} from './world';

/** Steps that make, change, prove or remove accounts. Refusals are the code's to make. */

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

/** The mailer's new messages, with their one-time links, go to their mailboxes. */
export const collectMail = (world: World) => {
  const sent = world.deps.mailer.sent;
  for (const message of sent.slice(world.mailSeen)) {
    const token = /#token=(evt_[A-Za-z0-9_-]{43})/.exec(message.text)?.[1];
    if (token) world.mails.push({ to: message.to, token, kind: 'verify', used: false });
  }
  world.mailSeen = sent.length;
};

/** The holder of a mailbox follows a link in it: a verification, or a reset with a new password. */
export const readMailStep = async (world: World, op: Extract<Op, { op: 'readMail' }>) => {
  collectMail(world);
  const mail = nth(
    world.mails.filter((m) => !m.used),
    op.mail,
  );
  if (!mail) return 'no mail';
  mail.used = true;
  const holder = mailboxOf(mail.to);
  if (!holder) return `mail to ${mail.to} has no reader`;
  if (mail.kind === 'verify') {
    await verifyEmail(world.deps, mail.token, noRequest);
    // Whoever proves the address (a sign-up's, or the new one of a change) is the person
    // behind the account from now on: the service now takes the account to be theirs.
    const proven = await world.deps.store.findUserByEmail(emailKey(mail.to));
    if (proven) world.personOf.set(proven.id, holder);
    return `${holder} confirmed ${mail.to}`;
  }
  const owner = await world.deps.store.findUserByEmail(emailKey(mail.to));
  const password = newPassword(world);
  await resetPasswordWithToken(world.deps, { token: mail.token, password }, noRequest);
  if (owner) {
    world.personOf.set(owner.id, holder);
    kill(
      world,
      `password reset by mail to ${mail.to}`,
      (c) =>
        c.accountId === owner.id && ['password', 'access', 'refresh', 'browser'].includes(c.kind),
    );
    addCredential(world, {
      kind: 'password',
      secret: password,
      login: mail.to,
      accountId: owner.id,
      maker: holder,
    });
  }
  return `${holder} reset the password of ${mail.to} by mail`;
};

/**
 * Forgot-password, as its mail would carry it: the core's one-time token for the account
 * with that address, mailed there. (The route's even-time wait is for the enumeration tests.)
 */
export const forgotStep = async (world: World, op: Extract<Op, { op: 'forgot' }>) => {
  const to = EMAILS[op.email] ?? EMAILS[0];
  const user = await world.deps.store.findUserByEmail(emailKey(to));
  if (user?.type !== 'human' || !['active', 'unverified'].includes(user.status)) {
    return `no reset mail for ${to}`;
  }
  const token = await issueOneTimeToken(world.deps, {
    purpose: 'reset_password',
    userId: user.id,
    email: user.email,
    ttlSeconds: world.deps.config.account.passwordResetTtlSeconds,
  });
  world.mails.push({ to: user.email, token, kind: 'reset', used: false });
  return `reset link mailed to ${to}`;
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
  // A refused first login may still have made a (pending) account: that one is this person's.
  // A refused login to an existing account linked nothing the model can be sure of.
  const account =
    result?.user ?? (await world.deps.store.findUserByEmail(emailKey(email))) ?? undefined;
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
  if (!result) throw refusal;
  addSession(world, who, result.tokens);
  return `${who} signed in through SSO as ${email} with [${groups.join(' ')}]: ${result.user.role}`;
};
