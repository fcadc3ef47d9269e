import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { RequestMeta } from '../audit/audit';
import { verifyMfaCode, verifyMfaCredential } from '../mfa';
import { type MfaLoginContext, type MfaTokenRecord, mfaTokenHash } from '../mfa/mfa-tokens';
import type { ClientRecord } from '../oauth/clients';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { passwordOrigin } from '../users/credential-lineage';
import type { PublicUser, UserRecord } from '../users/users';
import { credentialVersionOf } from './credential-version';
import { accountLockoutKey } from './lockout';
import {
  assertMaySignIn,
  isCredentialsMoved,
  newRefreshToken,
  refreshRecord,
  startSession,
  type TokenResponse,
  tokenResponse,
} from './sessions';

/** Who finishes: `/auth/mfa/verify` (no client), or the MFA grant's authenticated client. */
export type MfaFinisher = { endpoint: 'auth' } | { endpoint: 'oauth'; client: ClientRecord };

const tokenInvalid = (message = 'The mfa_token is invalid or spent.') =>
  new GatehouseError('token_invalid', message);

/**
 * Invariant: an mfa_token is finished only where its first step allows: a password grant's
 * only at /oauth/token by that same client (the session is that client's); a client-less
 * password sign-in's only at /auth/mfa/verify; a step-up of a session (`reauth`) at
 * /auth/mfa/verify, or at /oauth/token by the session's own client. Hosted-page contexts
 * (SSO, federation) finish on the hosted page, never here.
 */
const mayFinish = (context: MfaLoginContext, finisher: MfaFinisher): boolean => {
  if (context.method !== 'password' && context.method !== 'reauth') return false;
  if (finisher.endpoint === 'oauth') return context.clientId === finisher.client.clientId;
  return context.method === 'reauth' || context.clientId === null;
};

/** The password sign-in the token names, opened now with the factor's amr. */
const openSignedInSession = (
  deps: CoreDeps,
  user: UserRecord,
  token: MfaTokenRecord,
  { amr, mfa }: { amr: string[]; mfa: PublicUser['mfa'] },
  finisher: MfaFinisher,
  meta: RequestMeta,
): Promise<TokenResponse> => {
  const { clientId, scope } = token.context;
  return startSession(deps, user, clientId, {
    origin: passwordOrigin(user),
    amr,
    mfa,
    // Only a completed sign-in clears the count, in the session's own write.
    clearsLoginFailures: accountLockoutKey(user.id),
    audit: {
      meta,
      entry: {
        action: 'auth.sign_in',
        actorId: user.id,
        targetId: user.id,
        outcome: 'success',
        detail: { method: 'password', second_factor: 'verified' },
      },
    },
    // The password grant's session is granted what its first step asked (none: the role's).
    ...(clientId ? { requestedScope: scope ?? null } : {}),
    ...(finisher.endpoint === 'oauth' ? { client: finisher.client } : {}),
  }).catch((error: unknown) => {
    throw isCredentialsMoved(error) ? tokenInvalid('Sign in again.') : error;
  });
};

/**
 * A step-up (`reauth`) finished: a fresh pair for the same sid, its auth_time now and its amr
 * with the factor's. Invariant: only the live session the token names, still at the user's
 * credential version, is renewed (one conditional write); never a revoked one revived.
 */
const renewSteppedUpSession = async (
  deps: CoreDeps,
  user: UserRecord,
  token: MfaTokenRecord,
  amr: string[],
  mfa: PublicUser['mfa'],
): Promise<TokenResponse> => {
  const session = token.context.sid ? await deps.store.getSession(token.context.sid) : null;
  if (
    !session ||
    session.userId !== user.id ||
    credentialVersionOf(session) !== credentialVersionOf(user)
  ) {
    throw tokenInvalid('The session has ended: sign in again.');
  }
  const now = deps.clock.now();
  const refreshToken = newRefreshToken();
  const renewed = await deps.store.renewSession({
    // A new generation: every refresh token of the session before this renewal is spent.
    refresh: {
      ...refreshRecord(refreshToken, session, now),
      generation: (session.refreshGeneration ?? 0) + 1,
    },
    credentialVersion: credentialVersionOf(user),
    authTime: now,
    amr,
    clearLoginFailures: accountLockoutKey(user.id),
  });
  if (!renewed) throw tokenInvalid('The session has ended: sign in again.');
  const renewedSession = {
    ...session,
    authTime: now,
    amr,
    refreshGeneration: (session.refreshGeneration ?? 0) + 1,
  };
  return tokenResponse(deps, user, renewedSession, refreshToken, now, null, {}, mfa);
};

/** The second step: a TOTP or recovery code, or a WebAuthn assertion, with the mfa_token. */
export type MfaSecondStep =
  | { mfaToken: string; code: string }
  | { mfaToken: string; credential: AuthenticationResponseJSON };

/**
 * `POST /auth/mfa/verify`, the MFA grant and the challenge page: the code or assertion is
 * verified against the mfa_token (verifyMfaCode / verifyMfaCredential: both spent once,
 * together; counted toward the lockout; audited), then the session the token's first step
 * names is opened, or the step-up's session renewed.
 */
export const finishMfaSignIn = async (
  deps: CoreDeps,
  input: MfaSecondStep,
  finisher: MfaFinisher,
  meta: RequestMeta,
): Promise<TokenResponse> => {
  const known = await deps.store.getMfaToken(mfaTokenHash(input.mfaToken));
  // Checked before the code is tried: a token shown in the wrong place is neither spent nor counted.
  if (known && !mayFinish(known.context, finisher)) throw tokenInvalid();
  // The user is read beside the factor's checks, used only once they pass; the session's write
  // is conditional on the credential version read here (a change meanwhile refuses it).
  const [{ token, amr, mfa }, user] = await Promise.all([
    'credential' in input
      ? verifyMfaCredential(deps, input, meta, known ?? undefined)
      : verifyMfaCode(deps, input, meta, known ?? undefined),
    known ? deps.store.getUser(known.userId) : null,
  ]);
  const version = token.context.credentialVersion;
  // A reset, takeover or sign-out everywhere since the first step voids it.
  if (!user || (version !== undefined && credentialVersionOf(user) !== version)) {
    throw tokenInvalid('Sign in again.');
  }
  assertMaySignIn(user);
  return token.context.method === 'reauth'
    ? renewSteppedUpSession(deps, user, token, amr, mfa)
    : openSignedInSession(deps, user, token, { amr, mfa }, finisher, meta);
};
