import { issueOneTimeToken } from '../../../src/core/account/one-time-tokens';
import { resetPasswordWithToken, verifyEmail } from '../../../src/core/account/self-service';
import { noRequest } from '../../../src/core/audit/audit';
import { emailKey } from '../../../src/core/users/users';
import { addCredential, kill, newPassword, nth } from './acting';
import type { Op } from './ops';
import { EMAILS, mailboxOf, type World } from './world';

/** Steps of the mailed links: only an address's mailbox holder reads its mail. */

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
    credentialVersion: user.credentialVersion ?? 0,
    ttlSeconds: world.deps.config.account.passwordResetTtlSeconds,
  });
  world.mails.push({ to: user.email, token, kind: 'reset', used: false });
  return `reset link mailed to ${to}`;
};
