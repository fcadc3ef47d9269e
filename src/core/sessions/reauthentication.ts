import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { noRequest, type RequestMeta } from '../audit/audit';
import { assertMfaCode, issueMfaToken } from '../mfa/mfa-challenge';
import { MfaRequiredError } from '../mfa/second-factor-gate';
import { assertMfaCredential } from '../mfa/webauthn-verification';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import type { UserRecord } from '../users/users';
import { accountLockoutKey } from './lockout';
import { takePasswordAttempt } from './password-attempt';
import { sessionAmr, sessionAuthTime } from './sessions';

/**
 * A signed-in user proving it is still them (a password change, deleting the account): under
 * the same lockout as sign-in, so a stolen access token cannot guess the password. A wrong
 * password is 403 `forbidden` (API.md), not a failed sign-in.
 */
export const assertCurrentPassword = async (
  deps: CoreDeps,
  user: UserRecord,
  password: string,
): Promise<void> => {
  if (!user.passwordHash) {
    throw new GatehouseError(
      'forbidden',
      'This account has no password (it signs in through SSO): ask an admin.',
    );
  }
  // The account's counter, as sign-in uses: the attempt is counted before bcrypt runs.
  const key = accountLockoutKey(user.id);
  const locked = await takePasswordAttempt(deps, key, { userId: user.id });
  if (locked > 0) {
    throw new GatehouseError(
      'too_many_attempts',
      `Too many wrong passwords. Try again in ${locked} seconds.`,
      locked,
    );
  }
  if (await deps.hasher.verify(password, user.passwordHash)) {
    // Invariant (docs/mfa.md "Lockout"): a right password takes back only its own attempt, so
    // wrong codes counted on this key stay counted (a password is no second factor).
    await deps.store.releaseLoginAttempt(key);
    return;
  }
  throw new GatehouseError('forbidden', 'The current password is incorrect.');
};

/** The caller's live session, as a step-up's `mfa_token` must name it to renew it. */
export interface StepUpSession {
  sid: string;
  clientId: string | null;
  /** The session's RFC 8176 methods, to which a verified factor adds its own. */
  amr: string[];
}

/** What a request offers as step-up proof (API.md "Proof (step-up)"). */
export interface StepUpProof {
  /** The body's `password` (`current_password` on `POST /me/password`), if given. */
  password?: string;
  /** The body's `code`: a TOTP code or a recovery code, if given. */
  code?: string;
  /**
   * The body's `credential`: a WebAuthn assertion over a 'step-up' challenge of this user
   * (`POST /me/mfa/webauthn/assertion-options`), if given.
   */
  credential?: AuthenticationResponseJSON;
  /** When the caller's session was signed in; null: no live session (an API token). */
  authTime: number | null;
  /** The caller's session's RFC 8176 methods; absent: no live session (counts as no `mfa`). */
  amr?: string[];
  /** The caller's live session; absent: none an `mfa_token` could renew. */
  session?: StepUpSession;
}

/**
 * The proof a request offers: what its body carries, and the caller's session (`sid`) read once,
 * which counts only while it is this user's and live.
 */
export const stepUpProofOf = async (
  deps: CoreDeps,
  userId: string,
  sid: string | null | undefined,
  given: {
    password?: string | undefined;
    code?: string | undefined;
    credential?: AuthenticationResponseJSON | undefined;
  },
): Promise<StepUpProof> => {
  const found = sid ? await deps.store.getSession(sid) : null;
  const session = found?.userId === userId && found.revokedAt === null ? found : null;
  return {
    ...(given.password !== undefined ? { password: given.password } : {}),
    ...(given.code !== undefined ? { code: given.code } : {}),
    ...(given.credential !== undefined ? { credential: given.credential } : {}),
    authTime: session ? sessionAuthTime(session) : null,
    ...(session ? { amr: sessionAmr(session) } : {}),
    ...(session
      ? { session: { sid: session.sid, clientId: session.clientId, amr: sessionAmr(session) } }
      : {}),
  };
};

/** A sign-in this recent proves the person; 0 (client_credentials, an import) never does. */
const isRecent = (deps: CoreDeps, authTime: number | null): boolean =>
  authTime !== null &&
  authTime > 0 &&
  deps.clock.now() - authTime <= deps.config.reauthMaxAgeSeconds * 1000;

/**
 * THE step-up (API.md "Proof (step-up)"), for adding or removing a factor, new recovery codes,
 * `PATCH /me {email}`, `POST /me/password` and `DELETE /me`: every given `password`, `code` and
 * `credential` must be right (a wrong one is 403 and counts toward the lockout), or without either the
 * session's sign-in is within REAUTH_MAX_AGE_SECONDS. Otherwise a user with a factor gets 403
 * `mfa_required` with an `mfa_token` that renews this session (/auth/mfa/verify); one without
 * a factor gets 403 `forbidden` saying what to send, since no token could be finished.
 * Invariant: a stolen access token alone, older than REAUTH_MAX_AGE_SECONDS, changes nothing.
 */
export const assertStepUp = async (
  deps: CoreDeps,
  user: UserRecord,
  proof: StepUpProof,
  meta: RequestMeta = noRequest,
): Promise<void> => {
  if (proof.password !== undefined) await assertCurrentPassword(deps, user, proof.password);
  if (proof.code !== undefined) await assertMfaCode(deps, user.id, proof.code, meta);
  if (proof.credential !== undefined)
    await assertMfaCredential(deps, user.id, proof.credential, meta);
  if (proof.code !== undefined || proof.credential !== undefined) return;
  const { factors } = await deps.store.getMfaState(user.id);
  // Invariant A: a session without `mfa` of a user with a factor (a thief's from before the
  // enrolment) steps up only with that factor: a password or a recent sign-in proves nothing.
  const needsFactor = factors.length > 0 && !(proof.amr ?? []).includes('mfa');
  if (!needsFactor && (proof.password !== undefined || isRecent(deps, proof.authTime))) return;
  if (factors.length > 0 && proof.session) {
    const { mfaToken } = await issueStepUpToken(deps, user.id, proof.session);
    throw new MfaRequiredError(
      mfaToken,
      factors.map((factor) => ({ factor_id: factor.factorId, type: factor.type })),
    );
  }
  throw new GatehouseError(
    'forbidden',
    needsFactor
      ? 'This change needs your second factor: send a code from your authenticator app, a recovery code, or your passkey.'
      : 'This change needs proof: send your current password as "password", or sign in again.',
  );
};

/** An mfa_token whose verify renews the caller's own session (`reauth`), nothing else. */
const issueStepUpToken = (deps: CoreDeps, userId: string, session: StepUpSession) =>
  issueMfaToken(deps, userId, {
    method: 'reauth',
    clientId: session.clientId,
    sid: session.sid,
    amr: session.amr,
  });
