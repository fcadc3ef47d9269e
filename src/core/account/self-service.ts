import { type RequestMeta, recordAudit } from '../audit/audit';
import { clearSquatterFactors, takeOverUnprovenAccount } from '../identity/takeover';
import { credentialVersionOf, nextCredentialVersion } from '../sessions/credential-version';
import { accountLockoutKey } from '../sessions/lockout';
import { assertPasswordAllowed } from '../sessions/password-policy';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import type { EmailMessage } from '../shared/mailer';
import { accountRateLimits, enforceRateLimits } from '../shared/rate-limits';
import { passwordFromResetLink } from '../users/credential-lineage';
import { isAtLeast } from '../users/roles';
import { createUser, withNewPassword } from '../users/user-management';
import {
  emailKey,
  linkingOf,
  type PasswordSetter,
  type PublicUser,
  type UserRecord,
} from '../users/users';
import {
  emailChangeEmail,
  emailChangeNotice,
  passwordResetEmail,
  verificationEmail,
} from './account-emails';
import { issueOneTimeToken, type OneTimePurpose, spendOneTimeToken } from './one-time-tokens';

/** Answers that must not tell whether an address has an account take at least this long. */
const EVEN_ANSWER_MS = 400;

/**
 * For answers that must not tell whether an address has an account: the rate limits, the
 * lookup, `work` with what was found, and never an answer sooner than EVEN_ANSWER_MS.
 */
const forAddressEvenly = async (
  deps: CoreDeps,
  email: string,
  meta: RequestMeta,
  work: (user: UserRecord | null) => Promise<void>,
): Promise<void> => {
  const started = performance.now();
  try {
    await enforceRateLimits(deps, accountRateLimits(deps, meta.ip, emailKey(email)));
    await work(await deps.store.findUserByEmail(emailKey(email)));
  } finally {
    const wait = started + EVEN_ANSWER_MS - performance.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
  }
};

const refusedToken = () =>
  new GatehouseError('record_invalid', 'token: invalid, already used or expired.');

/** Issues a one-time token for `to` and mails it in `template`'s link. */
const mailOneTimeLink = async (
  deps: CoreDeps,
  grant: {
    purpose: OneTimePurpose;
    userId: string;
    to: string;
    ttlSeconds: number;
    credentialVersion: number;
  },
  template: (issuer: string, to: string, token: string, ttlSeconds: number) => EmailMessage,
): Promise<void> => {
  const token = await issueOneTimeToken(deps, { ...grant, email: grant.to });
  await deps.mail.enqueue([template(deps.config.issuerUrl, grant.to, token, grant.ttlSeconds)]);
};

const sendVerification = (deps: CoreDeps, user: UserRecord) =>
  mailOneTimeLink(
    deps,
    {
      purpose: 'verify_email',
      userId: user.id,
      to: user.email,
      credentialVersion: credentialVersionOf(user),
      ttlSeconds: deps.config.account.emailVerificationTtlSeconds,
    },
    verificationEmail,
  );

export interface SignUpRequest {
  email: string;
  password: string;
  username?: string;
  name?: string;
}

/**
 * `POST /auth/sign-up`: off unless SIGN_UP_ENABLED. With REQUIRE_EMAIL_VERIFICATION the user
 * is `unverified` (no sign-in) until the mailed link is used.
 */
export const signUp = async (
  deps: CoreDeps,
  request: SignUpRequest,
  meta: RequestMeta,
): Promise<PublicUser> => {
  const { account } = deps.config;
  if (!account.signUpEnabled) throw new GatehouseError('forbidden', 'Sign-up is turned off.');
  await enforceRateLimits(deps, accountRateLimits(deps, meta.ip, emailKey(request.email)));
  const user = await createUser(
    deps,
    { kind: 'operator', name: 'sign-up' },
    {
      email: request.email,
      ...(request.username ? { username: request.username } : {}),
      ...(request.name ? { name: request.name } : {}),
      password: request.password,
      // Nobody has proven the address yet: a trusted login takes such an account over.
      emailVerified: false,
      passwordSetBy: 'self',
      emailSetBy: 'self',
      role: account.signUpRole,
      type: 'human',
      status: account.requireEmailVerification ? 'unverified' : 'active',
    },
    meta,
  );
  if (user.status === 'unverified') {
    const stored = await deps.store.getUser(user.id);
    if (stored) await sendVerification(deps, stored);
  }
  return user;
};

/** `POST /auth/email/resend`: 202 whether or not the address has an unverified account. */
export const resendVerification = async (
  deps: CoreDeps,
  email: string,
  meta: RequestMeta,
): Promise<void> =>
  forAddressEvenly(deps, email, meta, async (user) => {
    // An empty batch otherwise: the same queue work whether or not a mail goes.
    if (user?.status === 'unverified') await sendVerification(deps, user);
    else await deps.mail.enqueue([]);
  });

/**
 * `POST /auth/email/verify`: a sign-up's address, or the new address of a change. A link that
 * proves an address the account had not proven ends what whoever made the account left
 * (account-linking.ts): its sessions, API tokens, federated identities and password, unless
 * `password` is the account's own, which shows the one who clicked also holds the account.
 */
export const verifyEmail = async (
  deps: CoreDeps,
  token: string,
  meta: RequestMeta,
  password?: string,
): Promise<void> => {
  await enforceRateLimits(deps, accountRateLimits(deps, meta.ip, null));
  const record = await spendOneTimeToken(deps, token, ['verify_email', 'change_email']);
  const before = await deps.store.getUser(record.userId);
  // Void once the account's credentials moved since it was mailed (credential-version.ts).
  if (!before || credentialVersionOf(record) !== credentialVersionOf(before)) throw refusedToken();
  const now = deps.clock.now();
  const updatedAt = Math.max(now, before.updatedAt + 1);
  // A link for an address the account no longer has proves nothing.
  if (record.purpose === 'verify_email' && before.emailKey !== emailKey(record.email)) {
    throw refusedToken();
  }
  const proving = record.purpose === 'change_email' || !linkingOf(before).emailVerified;
  const holdsAccount =
    password !== undefined &&
    before.passwordHash !== null &&
    (await deps.hasher.verify(password, before.passwordHash));
  const cleanUp = proving && !holdsAccount;
  if (cleanUp) await clearSquatterFactors(deps, before.id, meta);
  // A taken address is a 409 from the store's unique index.
  await deps.store.updateUser(before, {
    ...before,
    ...(record.purpose === 'change_email'
      ? {
          email: record.email,
          emailKey: emailKey(record.email),
          // Asked for in an admin-tainted session: the address is the admin's choice.
          emailSetBy: record.origin ?? 'unknown',
        }
      : {}),
    status: before.status === 'unverified' ? 'active' : before.status,
    emailVerified: true,
    ...(cleanUp ? { passwordHash: null, passwordSetBy: null, identities: [] } : {}),
    // An applied email change or a takeover: earlier sessions, links and codes are void.
    ...(record.purpose === 'change_email' || cleanUp ? nextCredentialVersion(before) : {}),
    updatedAt,
  });
  if (cleanUp) await takeOverUnprovenAccount(deps, before.id, meta);
  await recordAudit(deps, meta, {
    action: record.purpose === 'verify_email' ? 'account.email_verify' : 'account.email_change',
    actorId: before.id,
    targetId: before.id,
    detail: {
      ...(record.purpose === 'change_email' ? { fields: 'email' } : {}),
      ...(proving ? { credentials_removed: cleanUp } : {}),
    },
  });
};

/** `POST /auth/password/forgot`: 202 whether or not the address has an account. */
export const forgotPassword = async (
  deps: CoreDeps,
  email: string,
  meta: RequestMeta,
): Promise<void> =>
  forAddressEvenly(deps, email, meta, async (user) => {
    if (user?.type !== 'human' || !['active', 'unverified'].includes(user.status)) {
      // An empty batch: the same queue work whether or not a mail goes.
      await deps.mail.enqueue([]);
      return;
    }
    await mailOneTimeLink(
      deps,
      {
        purpose: 'reset_password',
        userId: user.id,
        to: user.email,
        credentialVersion: credentialVersionOf(user),
        ttlSeconds: deps.config.account.passwordResetTtlSeconds,
      },
      passwordResetEmail,
    );
    await recordAudit(deps, meta, {
      action: 'account.password_forgot',
      actorId: null,
      targetId: user.id,
    });
  });

/**
 * `POST /auth/password/reset`: sets the password and ends every session. A link is void
 * once the account changed after it was mailed (another reset, an edit by an admin).
 */
export const resetPasswordWithToken = async (
  deps: CoreDeps,
  request: { token: string; password: string },
  meta: RequestMeta,
): Promise<void> => {
  await enforceRateLimits(deps, accountRateLimits(deps, meta.ip, null));
  // The policy first: a refused password must not cost the mailed link.
  await assertPasswordAllowed('password', request.password, {
    minLength: deps.config.passwordMinLength,
  });
  const record = await spendOneTimeToken(deps, request.token, ['reset_password']);
  const before = await deps.store.getUser(record.userId);
  if (
    !before ||
    credentialVersionOf(record) !== credentialVersionOf(before) ||
    before.updatedAt > record.createdAt ||
    before.emailKey !== emailKey(record.email)
  ) {
    throw refusedToken();
  }
  // An admin-set address never resets the password of an account above what an admin may
  // give (an SSO raise can leave one): the link would hand the admin that role.
  if (before.emailSetBy === 'admin' && isAtLeast(before.role, 'admin')) {
    throw new GatehouseError(
      'conflict',
      'The email must be proven first: an owner sets it, or the person signs in through SSO.',
    );
  }
  // The mailed link proves its holder, who is the person only when the address is theirs:
  // the password inherits the origin of the email it was mailed to (credential-lineage.ts).
  const after = await withNewPassword(
    deps,
    before,
    request.password,
    'password',
    passwordFromResetLink(before),
  );
  const now = deps.clock.now();
  // The mailed link proves the address too: if it was unproven, only the password just set
  // stays of what the account had (account-linking.ts).
  const proving = !linkingOf(before).emailVerified;
  if (proving) await clearSquatterFactors(deps, before.id, meta);
  await deps.store.updateUser(before, {
    ...after,
    status: before.status === 'unverified' ? 'active' : before.status,
    emailVerified: true,
    ...(proving ? { identities: [] } : {}),
  });
  await Promise.all([
    proving
      ? takeOverUnprovenAccount(deps, before.id, meta)
      : deps.store.revokeUserSessions(before.id, now),
    clearCountWithoutFactor(deps, before.id, proving),
  ]);
  await recordAudit(deps, meta, {
    action: 'account.password_reset',
    actorId: before.id,
    targetId: before.id,
  });
};

/**
 * Invariant (docs/mfa.md "Lockout"): the link proves the email, not the second factor, so the
 * failure count of a user with a confirmed factor stays (a lock from wrong codes waits out its
 * time or an admin clears it). A proving reset has just removed the squatter's factors.
 */
const clearCountWithoutFactor = async (deps: CoreDeps, userId: string, proving: boolean) => {
  if (!proving && (await deps.store.getMfaState(userId)).factors.length > 0) return;
  await deps.store.clearLoginFailures(accountLockoutKey(userId));
};

/**
 * The mails of an address change: a link to the new address, a notice to the old one. A taken
 * address gets neither, yet the answer and the store's work are the same as for a free one (the
 * link's token is issued and never mailed), so `PATCH /me` tells nobody which addresses have
 * accounts. Should the address be taken between here and the link, verifying it is a 409.
 */
export const startEmailChange = async (
  deps: CoreDeps,
  user: UserRecord,
  newEmail: string,
  origin: PasswordSetter = 'unknown',
): Promise<void> => {
  const ttlSeconds = deps.config.account.emailVerificationTtlSeconds;
  const [holder, token] = await Promise.all([
    deps.store.findUserByEmail(emailKey(newEmail)),
    issueOneTimeToken(deps, {
      purpose: 'change_email',
      userId: user.id,
      email: newEmail,
      credentialVersion: credentialVersionOf(user),
      ttlSeconds,
      origin,
    }),
  ]);
  const { issuerUrl } = deps.config;
  await deps.mail.enqueue(
    holder
      ? []
      : [
          emailChangeEmail(issuerUrl, newEmail, token, ttlSeconds),
          emailChangeNotice(issuerUrl, user.email, newEmail),
        ],
  );
};
