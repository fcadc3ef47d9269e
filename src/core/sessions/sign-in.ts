import { type AuditEntry, noRequest, type RequestMeta, recordAudit } from '../audit/audit';
import { mfaSummary } from '../mfa/factors';
import { requireSecondFactor } from '../mfa/second-factor-gate';
import { grantScopes } from '../oauth/oauth-scopes';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError, isGatehouseError } from '../shared/errors';
import { passwordOrigin } from '../users/credential-lineage';
import { emailKey, loginKey, type UserRecord, usernameKey } from '../users/users';
import { credentialVersionOf } from './credential-version';
import { accountLockoutKey, lockoutKey, lockSeconds, maskedLogin } from './lockout';
import { takeCountedAttempt } from './password-attempt';
import { assertMaySignIn, isCredentialsMoved, startSession, type TokenResponse } from './sessions';
import { startPasswordCheck } from './sign-in-password-check';

export interface SignInRequest {
  login: string;
  password: string;
  /** The OAuth client asking (password grant); the session is then that client's. */
  clientId?: string;
  /** The hosted sign-in page: the session also gets a browser cookie secret. */
  browser?: boolean;
  /** The password grant's `scope` (parsed; null: none asked), checked against the grants. */
  scope?: string[] | null;
}

const badCredentials = () =>
  new GatehouseError('invalid_credentials', 'The login or password is incorrect.');

const lockedOut = (seconds: number) =>
  new GatehouseError(
    'too_many_attempts',
    `Too many failed sign-in attempts. Try again in ${seconds} seconds.`,
    seconds,
  );

/**
 * Break-glass: with PASSWORD_LOGIN_ENABLED=0, the default owner (DEFAULT_OWNER_EMAIL or
 * DEFAULT_OWNER_USERNAME) may still sign in with a password, so a broken identity provider
 * never locks everyone out. Audited as `password_break_glass`.
 */
const namesDefaultOwner = (deps: CoreDeps, login: string): boolean => {
  const key = loginKey(login);
  const owner = deps.config.defaultOwner;
  return key.kind === 'email'
    ? key.key === emailKey(owner.email)
    : key.key === usernameKey(owner.username);
};

/**
 * Password sign-in. An unknown login and a wrong password cost the same bcrypt and store work
 * and get the same answer; failures lock the account (or, for a login naming nobody, that
 * login) for a growing, capped time, checked before bcrypt runs.
 */
export const signInWithPassword = async (
  deps: CoreDeps,
  request: SignInRequest,
  meta: RequestMeta = noRequest,
): Promise<TokenResponse & { browserSession?: string }> => {
  const { store, clock, hasher, config } = deps;
  const breakGlass = !config.passwordLoginEnabled && namesDefaultOwner(deps, request.login);
  if (!config.passwordLoginEnabled && !breakGlass) {
    throw new GatehouseError(
      'password_login_disabled',
      'Password sign-in is turned off: sign in through SSO.',
    );
  }
  // One counter per account, whichever login named it; a login naming nobody has its own.
  // Both paths do the same store work (the login's item, then the user item beside the
  // conditional write of the attempt) and one bcrypt, started between the two.
  const named = loginKey(request.login);
  const entry = await store.findLogin(named);
  const userId = entry?.userId ?? null;
  const failureKey = userId ? accountLockoutKey(userId) : lockoutKey(named.key);
  // bcrypt on the login item's hint runs beside the reads below (sign-in-password-check.ts).
  // A key this instance saw locked skips it: a hammered lock costs no bcrypt per attempt.
  const early = !deps.lockSightings.isLocked(failureKey, clock.now());
  const check = startPasswordCheck(hasher, request.password, entry, { early });
  // The attempt is counted, and the lock checked, in the same phase (password-attempt.ts).
  // The factors are read beside them (the gate below needs them): no round trip added.
  const [user, attempt, mfaState] = await Promise.all([
    store.getUser(userId ?? '-'),
    takeCountedAttempt(deps, failureKey, userId ? { userId } : { login: maskedLogin(named.key) }),
    store.getMfaState(userId ?? '-'),
  ]);
  // auth.* events name the user as actor and target; null for an unknown login.
  const event = (
    outcome: 'success' | 'failure',
    detail: Record<string, string | number>,
  ): AuditEntry => ({
    action: 'auth.sign_in',
    actorId: user?.id ?? null,
    targetId: user?.id ?? null,
    outcome,
    detail: { method: breakGlass ? 'password_break_glass' : 'password', ...detail },
  });
  const audit = (outcome: 'success' | 'failure', detail: Record<string, string | number>) =>
    recordAudit(deps, meta, event(outcome, detail));
  // Invariant: nothing that depends on the password is answered before this attempt is
  // counted and found unlocked, so of N parallel guesses at most LOCKOUT_THRESHOLD learn
  // anything. A locked attempt waits for the bcrypt begun early and ignores its verdict.
  const locked = attempt.lockedSeconds;
  if (locked > 0) {
    deps.lockSightings.saw(failureKey, clock.now() + locked * 1000);
    await Promise.all([check.settled, audit('failure', { reason: 'too_many_attempts' })]);
    throw lockedOut(locked);
  }

  const passwordOk = await check.against(user);
  if (!user || !passwordOk) {
    // Already counted when the attempt was taken. A wrong password whose count locks the key
    // BEGINS a lock: its event says for how long (the activity dashboard counts lockouts so).
    const lockBegins = lockSeconds(attempt.failures, config.lockout);
    await audit('failure', {
      reason: 'invalid_credentials',
      ...(lockBegins > 0 ? { lock_seconds: lockBegins } : {}),
    });
    throw badCredentials();
  }
  const verifiedHash = user.passwordHash ?? '';
  // The rehash written (if any): the account's own hash of the same password.
  let rehashed: string | null = null;
  // The right password: the count starts over, in the session's own write (startSession), so
  // a sign-in pays one round trip more than before at most (the attempt), not two.
  const rehash = user.passwordHash && hasher.needsRehash(user.passwordHash);
  const upkeep = Promise.all([
    rehash
      ? hasher
          .hash(request.password)
          // Only over the hash just verified: never an old password back over a new one. The
          // same write brings the login items' hint up to date.
          .then(async (hash) => {
            if (await store.updatePasswordHash(user, hash, clock.now(), verifiedHash)) {
              rehashed = hash;
            }
          })
      : entry?.passwordHashHint !== verifiedHash
        ? // A stale or absent hint (an item from before hints): the login items only, so the
          // user's updatedAt stays and an admin edit prepared meanwhile does not conflict.
          store.refreshLoginHints(user)
        : null,
  ]);
  try {
    assertMaySignIn(user);
  } catch (error) {
    // A right password that may not sign in takes back its own attempt only (docs/mfa.md
    // "Lockout"): wrong codes of a user with a factor stay counted.
    await Promise.all([
      upkeep,
      store.releaseLoginAttempt(failureKey),
      audit('failure', { reason: (error as GatehouseError).code }),
    ]);
    throw error;
  }
  // Invariant: a right password of a user with a confirmed factor opens no session and keeps
  // the failure count: it answers an mfa_token, which only /auth/mfa/verify (or the MFA grant
  // of the same client) can turn into a session.
  try {
    // A scope the user does not hold is refused before a factor is asked, not after.
    if (mfaState.factors.length > 0 && request.scope !== undefined) {
      grantScopes(deps.scopes, user.role, request.scope, true);
    }
    await requireSecondFactor(
      deps,
      user.id,
      {
        method: 'password',
        clientId: request.clientId ?? null,
        sid: null,
        amr: ['pwd'],
        credentialVersion: credentialVersionOf(user),
        ...(request.scope ? { scope: request.scope } : {}),
      },
      mfaState,
      // The account's count as this attempt wrote it (the key is the account's when a user is):
      // the mfa_token's "dead at lockout" baseline, with no read again.
      attempt.failures,
    );
  } catch (error) {
    await Promise.all([
      upkeep,
      audit('failure', { reason: isGatehouseError(error) ? error.code : 'error' }),
    ]);
    throw error;
  }
  // Invariant: a verified password with no factor clears the count in its own write, sent
  // beside the session's (no round trip added), so a session write lost to an outage (503)
  // never leaves this attempt counted: retries with the right password lock nobody out.
  // Best effort: an outage that loses it too leaves a count a later sign-in clears.
  const cleared = store.clearLoginFailures(failureKey).catch(() => {});
  const open = (at: UserRecord) =>
    startSession(deps, at, request.clientId ?? null, {
      browser: request.browser ?? false,
      origin: passwordOrigin(user),
      // In the session's own write: one round trip, and no success without its session.
      audit: { meta, entry: event('success', {}) },
      // Read beside the user for the gate: the answer's `user.mfa` needs no query again.
      mfa: mfaSummary(mfaState.factors),
      ...(request.scope !== undefined ? { requestedScope: request.scope } : {}),
    });
  const first = open(user).then(
    (tokens) => ({ tokens, error: null }),
    (error: unknown) => ({ tokens: null, error }),
  );
  // A session that a concurrent credential change refuses adds a failure event after it.
  const [outcome] = await Promise.all([first, upkeep, cleared]);
  try {
    return (
      outcome.tokens ??
      (await retryAfterMove(deps, user, [verifiedHash, rehashed], open, outcome.error))
    );
  } catch (error) {
    await audit('failure', { reason: isGatehouseError(error) ? error.code : 'error' });
    throw error;
  }
};

/**
 * The user's credential version moved while bcrypt ran (startSession refused). Sound to try
 * once more only if the password verified is still the account's (a role change, sign-out
 * everywhere): a fresh read then opens the session at the new version. A password changed or
 * removed meanwhile makes the one given wrong; anything else answers the conflict.
 */
const retryAfterMove = async <T>(
  deps: CoreDeps,
  user: UserRecord,
  verified: (string | null)[],
  open: (user: UserRecord) => Promise<T>,
  error: unknown,
): Promise<T> => {
  if (!isCredentialsMoved(error)) throw error;
  const fresh = await deps.store.getUser(user.id);
  if (!fresh?.passwordHash || !verified.includes(fresh.passwordHash)) {
    throw badCredentials();
  }
  assertMaySignIn(fresh);
  return open(fresh);
};
