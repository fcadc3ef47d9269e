import { timingSafeEqual } from 'node:crypto';
import { countActivity } from '../activity/count-activity';
import {
  type AuditEntry,
  auditRecord,
  noRequest,
  type RequestMeta,
  recordAudit,
} from '../audit/audit';
import { userMfaSummary } from '../mfa';
import { mfaSummary } from '../mfa/factors';
import type { ClientRecord } from '../oauth/clients';
import { consentStillHolds } from '../oauth/consent';
import { grantScopes, sessionTokenScopes } from '../oauth/oauth-scopes';
import { secretShape } from '../shared/base64url';
import { toSeconds } from '../shared/clock';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError, isGatehouseError } from '../shared/errors';
import { newId, randomSecret, sha256 } from '../shared/ids';
import type { RefreshTokenRecord, SessionRecord } from '../shared/store';
import { type AccessTokenClaims, signAccessToken } from '../tokens/access-tokens';
import { issueIdToken } from '../tokens/id-tokens';
import type { CredentialOrigin } from '../users/credential-lineage';
import { scopesForRole } from '../users/roles';
import { type PublicUser, toPublicUser, type UserRecord } from '../users/users';
import { bumpCredentialVersion, credentialVersionOf } from './credential-version';
import { isImportableRefreshToken } from './imported-refresh';
import { policyScopes, requireFactorForHeldBackSession } from './mfa-policy';
import { openingFacts, sessionAmr, sessionAuthTime } from './session-facts';

export { sessionAmr, sessionAuthTime } from './session-facts';

/** The body of a successful sign-in or refresh. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  /** The access token's scopes, space-separated (RFC 6749 §5.1). */
  scope: string;
  /** OpenID Connect: only for a client's session granted `openid` (id-tokens.ts). */
  id_token?: string;
  user: PublicUser;
}

/** What an ID token needs beyond the session: the client (when the caller has it), the nonce. */
interface IdTokenContext {
  client?: ClientRecord | null;
  nonce?: string;
}

const REFRESH_TOKEN_PATTERN = secretShape(['srt_']);
export const newRefreshToken = (): string => `srt_${randomSecret()}`;

/** One of ours (`srt_...`), or one an import may have stored (imported-refresh.ts). */
const mayBeRefreshToken = (token: string): boolean =>
  REFRESH_TOKEN_PATTERN.test(token) || isImportableRefreshToken(token);

const refused = () =>
  new GatehouseError('token_invalid', 'The refresh token is invalid, expired or revoked.');

/** Whether this user may hold a session now; throws the contract's refusal otherwise. */
export const assertMaySignIn = (user: UserRecord): void => {
  if (user.status === 'active') return;
  if (user.status === 'disabled') {
    throw new GatehouseError('account_disabled', 'This account is disabled.');
  }
  throw new GatehouseError(
    'account_pending',
    user.status === 'unverified'
      ? 'This account is waiting for its email address to be verified.'
      : 'This account is waiting for approval.',
  );
};

/** The claims of an access token for a session; `scopes` narrows the role's grants. */
export const accessClaims = (
  deps: CoreDeps,
  user: UserRecord,
  session: SessionRecord,
  now: number,
  scopes: readonly string[] = scopesForRole(deps.scopes, user.role),
): AccessTokenClaims => {
  const iat = toSeconds(now);
  return {
    iss: deps.config.issuerUrl,
    sub: user.id,
    aud: deps.config.audience,
    // Never past its session's end: an expired session's tokens need no read to be refused.
    exp: Math.min(iat + deps.config.accessTokenTtlSeconds, toSeconds(session.expiresAt)),
    iat,
    jti: newId(),
    scope: scopes.join(' '),
    role: user.role,
    username: user.username,
    email: user.email,
    user_type: user.type,
    groups: user.groups,
    sid: session.sid,
    amr: sessionAmr(session),
    // No person signed in for a client's own token or an imported credential: no auth_time.
    ...(sessionAuthTime(session) > 0 ? { auth_time: toSeconds(sessionAuthTime(session)) } : {}),
    ...(session.clientId ? { client_id: session.clientId } : {}),
  };
};

/** The body for a session's new pair: its scope under the grants and MFA_REQUIRED_ROLES. */
export const tokenResponse = async (
  deps: CoreDeps,
  user: UserRecord,
  session: SessionRecord,
  refreshToken: string,
  now: number,
  requestedScope: readonly string[] | null = null,
  oidc: IdTokenContext = {},
  /** The user's MFA summary when the caller read the factors already: no query again. */
  knownMfa?: PublicUser['mfa'],
): Promise<TokenResponse> => {
  // The answer's `user.mfa`, read beside the signing and the ID token's client.
  const mfa = knownMfa ?? userMfaSummary(deps, user.id);
  // At most the session's grant and the user's current grants; a refresh may narrow it.
  const scopes = policyScopes(
    deps,
    user,
    session,
    sessionTokenScopes(deps.scopes, user.role, session.scope, requestedScope),
  );
  const claims = accessClaims(deps, user, session, now, scopes);
  const accessToken = signAccessToken(await deps.signer(deps.config.accessTokenSigningAlg), claims);
  const client =
    session.clientId && scopes.includes('openid')
      ? (oidc.client ?? (await deps.store.getClient(session.clientId)))
      : null;
  const idToken = await issueIdToken(deps, {
    user,
    session,
    client,
    scopes,
    accessToken,
    ...(oidc.nonce ? { nonce: oidc.nonce } : {}),
    now,
  });
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: claims.exp - claims.iat,
    refresh_token: refreshToken,
    scope: scopes.join(' '),
    ...(idToken ? { id_token: idToken } : {}),
    user: toPublicUser(user, await mfa),
  };
};

export const refreshRecord = (
  token: string,
  session: SessionRecord,
  now: number,
): RefreshTokenRecord => ({
  hash: sha256(token),
  sid: session.sid,
  userId: session.userId,
  createdAt: now,
  expiresAt: session.expiresAt,
  usedAt: null,
  ...(session.refreshGeneration ? { generation: session.refreshGeneration } : {}),
});

/** startSession's refusal when the user's credentials (or the client) changed since `user` was read. */
export const isCredentialsMoved = (error: unknown): boolean =>
  isGatehouseError(error) && error.code === 'conflict';

/**
 * Opens a session for a user who has proved who they are, at the credential version of
 * `user` as read: the store refuses it ('conflict', nothing written) if that version moved
 * (a reset, a takeover... finished meanwhile) or the client was deleted, so nothing the
 * revoking write swept can come back. Callers decide whether a fresh read may try again. With `browser`, the session also
 * gets a cookie secret (`browserSession`, `sid.secret`) for the hosted pages. `scope` is a
 * scope granted already (an authorization code's); `requestedScope` is checked against the
 * user's grants here (the password grant: a first-party client's).
 */
export const startSession = async (
  deps: CoreDeps,
  user: UserRecord,
  clientId: string | null = null,
  options: {
    browser?: boolean;
    scope?: string[];
    requestedScope?: string[] | null;
    /** What opened it (credential-lineage.ts); absent: unknown. */
    origin?: CredentialOrigin;
    /** When the person last authenticated (a code's approving session); absent: now. */
    authTime?: number;
    /** A password sign-in's failure count, cleared in the session's own write. */
    clearsLoginFailures?: string;
    /** The sign-in's success event, written in the session's own write (only if it is). */
    audit?: { meta: RequestMeta; entry: AuditEntry };
    /** The exchanged authorization code (its hash), spent in the session's own write. */
    spendsAuthorizationCode?: string;
    /** The client the session is for (read from the store when absent and needed). */
    client?: ClientRecord;
    /** The authorization request's nonce, for the ID token (code grant). */
    nonce?: string;
    /** RFC 8176 methods of the sign-in (a verified second factor's); absent: from `origin`. */
    amr?: string[];
    /** The user's MFA summary, when the caller read the factors already (tokenResponse). */
    mfa?: PublicUser['mfa'];
    /** The opening request (IP, User-Agent); absent: the audit entry's request. */
    meta?: RequestMeta;
  } = {},
): Promise<TokenResponse & { browserSession?: string }> => {
  assertMaySignIn(user);
  const scope =
    options.scope ??
    (options.requestedScope !== undefined
      ? grantScopes(deps.scopes, user.role, options.requestedScope, true)
      : undefined);
  const now = deps.clock.now();
  const browserSecret = options.browser ? randomSecret() : null;
  const session: SessionRecord = {
    sid: newId(),
    userId: user.id,
    clientId,
    createdAt: now,
    expiresAt: now + deps.config.sessionTtlSeconds * 1000,
    revokedAt: null,
    ...(browserSecret ? { browserHash: sha256(browserSecret) } : {}),
    ...(scope ? { scope } : {}),
    credentialVersion: credentialVersionOf(user),
    origin: options.origin ?? 'unknown',
    authTime: options.authTime ?? now,
    ...(options.amr ? { amr: [...new Set(options.amr)] } : {}),
    ...openingFacts(options.meta ?? options.audit?.meta ?? noRequest),
  };
  const refreshToken = newRefreshToken();
  // Records the sign-in in the same write; a refused session records none.
  await deps.store.createSession(session, refreshRecord(refreshToken, session, now), {
    ...(options.clearsLoginFailures ? { clearLoginFailures: options.clearsLoginFailures } : {}),
    ...(options.spendsAuthorizationCode
      ? { spendAuthorizationCode: { hash: options.spendsAuthorizationCode, at: now } }
      : {}),
    ...(options.audit ? { audit: auditRecord(deps, options.audit.meta, options.audit.entry) } : {}),
  });
  // A sign-in is a session whose person proved a credential in this request (no authTime carried
  // in: password, passkey, MFA, SSO, federation); a code exchange keeps the approving session's
  // authTime and is no second sign-in. Counted after its write, never awaited.
  if (options.authTime === undefined) countActivity(deps, { sign_ins: 1 });
  const tokens = await tokenResponse(
    deps,
    { ...user, lastSignInAt: now },
    session,
    refreshToken,
    now,
    null,
    {
      ...(options.client ? { client: options.client } : {}),
      ...(options.nonce ? { nonce: options.nonce } : {}),
    },
    options.mfa,
  );
  return browserSecret ? { ...tokens, browserSession: `${session.sid}.${browserSecret}` } : tokens;
};

/**
 * The user of a browser's session cookie (`sid.secret`): null unless the session is live,
 * the secret matches and the user is active.
 */
export const browserSessionUser = async (
  deps: CoreDeps,
  cookie: string | undefined,
): Promise<{ user: UserRecord; session: SessionRecord } | null> => {
  const [sid, secret] = (cookie ?? '').split('.');
  if (!sid || !secret || sid.length > 64 || !secretShape(['']).test(secret)) return null;
  const session = await deps.store.getSession(sid);
  if (!session?.browserHash || session.revokedAt !== null) return null;
  if (session.expiresAt <= deps.clock.now()) return null;
  const given = Buffer.from(sha256(secret));
  const expected = Buffer.from(session.browserHash);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const user = await deps.store.getUser(session.userId);
  if (user?.status !== 'active') return null;
  return credentialVersionOf(session) === credentialVersionOf(user) ? { user, session } : null;
};

/** A fresh access token for a browser's session (the console's calls), no refresh token. */
export const accessTokenForSession = async (
  deps: CoreDeps,
  user: UserRecord,
  session: SessionRecord,
): Promise<string> =>
  signAccessToken(
    await deps.signer(deps.config.accessTokenSigningAlg),
    accessClaims(
      deps,
      user,
      session,
      deps.clock.now(),
      policyScopes(deps, user, session, sessionTokenScopes(deps.scopes, user.role, session.scope)),
    ),
  );

/**
 * Who presents a refresh token: `/auth/refresh` (never a client), or `/oauth/token` with the
 * client it authenticated as registered (a confidential one by its secret), or null for none.
 */
export type RefreshCaller =
  | { endpoint: 'auth' }
  | { endpoint: 'oauth'; client: ClientRecord | null };

/**
 * Invariant (credential binding): a session issued to a client is refreshed only at
 * `/oauth/token` by that client, which still exists (the caller found it in the store to
 * authenticate it); a sign-in's session, by anyone. A refusal here writes nothing, so
 * presenting a stolen token in the wrong place neither spends it nor ends the session.
 */
const mayRefresh = (session: SessionRecord, caller: RefreshCaller): boolean =>
  session.clientId === null ||
  (caller.endpoint === 'oauth' && caller.client?.clientId === session.clientId);

/**
 * Trades a refresh token for a new pair. Each refresh token works once: a second use (by its
 * rightful caller) means it leaked, so the whole session is revoked.
 */
export const rotateRefreshToken = async (
  deps: CoreDeps,
  refreshToken: string,
  caller: RefreshCaller,
  requestedScope: string[] | null = null,
): Promise<TokenResponse> => {
  if (!mayBeRefreshToken(refreshToken)) throw refused();
  const now = deps.clock.now();
  const current = await deps.store.getRefreshToken(sha256(refreshToken));
  if (!current || current.expiresAt <= now) throw refused();
  // One read phase: the answer's `user.mfa` is read here too, so nothing follows the write.
  const [session, user, mfaState] = await Promise.all([
    deps.store.getSession(current.sid),
    deps.store.getUser(current.userId),
    deps.store.getMfaState(current.userId),
  ]);
  const mfa = mfaSummary(mfaState.factors);
  if (!session || !mayRefresh(session, caller)) throw refused();
  if (current.usedAt !== null) {
    await deps.store.revokeSession(current.sid, now);
    throw refused();
  }
  if (session.revokedAt !== null) throw refused();
  // A session from before the user's credentials moved (a reset, a takeover, sign-out
  // everywhere...) is over, even one the revoking sweep did not see.
  if (!user || credentialVersionOf(session) !== credentialVersionOf(user)) {
    await deps.store.revokeSession(session.sid, now);
    throw refused();
  }
  assertMaySignIn(user);
  // A third-party client's session lives only while the user's consent does (consent.ts).
  const client = caller.endpoint === 'oauth' ? caller.client : null;
  if (
    session.clientId !== null &&
    client !== null &&
    !(await consentStillHolds(
      deps,
      user.id,
      client,
      session.scope ?? scopesForRole(deps.scopes, user.role),
    ))
  ) {
    await deps.store.revokeSession(session.sid, now);
    throw refused();
  }
  // Checked before the rotation: a refused scope leaves the refresh token usable.
  sessionTokenScopes(deps.scopes, user.role, session.scope, requestedScope);
  // MFA_REQUIRED_ROLES: a held-back session of a user who now has a factor verifies it first.
  await requireFactorForHeldBackSession(deps, user, session);
  // Invariant: an imported credential is never rotated or spent (the other system keeps
  // using it); every check above still applies, and its session's end is its end.
  // A refreshed ID token has no nonce: the nonce belongs to the authorization request.
  if (current.imported) {
    return tokenResponse(deps, user, session, refreshToken, now, requestedScope, { client }, mfa);
  }
  // A token from before the session's last step-up renewal is spent: its use is a reuse.
  if ((current.generation ?? 0) !== (session.refreshGeneration ?? 0)) {
    await deps.store.revokeSession(session.sid, now);
    throw refused();
  }
  const nextToken = newRefreshToken();
  const outcome = await deps.store.rotateRefreshToken(
    current.hash,
    refreshRecord(nextToken, session, now),
    now,
  );
  if (outcome === 'already_used') await deps.store.revokeSession(session.sid, now);
  if (outcome !== 'rotated') throw refused();
  return tokenResponse(deps, user, session, nextToken, now, requestedScope, { client }, mfa);
};

/** Ends the session a refresh token belongs to; unknown tokens are ignored, as RFC 7009 does. */
export const endSessionByRefreshToken = async (
  deps: CoreDeps,
  refreshToken: string,
  meta: RequestMeta = noRequest,
): Promise<void> => {
  if (!mayBeRefreshToken(refreshToken)) return;
  const record = await deps.store.getRefreshToken(sha256(refreshToken));
  if (!record) return;
  // A client's token is that client's to revoke (/oauth/revoke): ignored here like an unknown one.
  const session = await deps.store.getSession(record.sid);
  if (!session || !mayRefresh(session, { endpoint: 'auth' })) return;
  await deps.store.revokeSession(record.sid, deps.clock.now());
  await recordAudit(deps, meta, {
    action: 'auth.sign_out',
    actorId: record.userId,
    targetId: record.userId,
    detail: { sid: record.sid },
  });
};

/** Ends one session of a user (sign-out with its access token). */
export const endSession = async (
  deps: CoreDeps,
  userId: string,
  sid: string,
  meta: RequestMeta = noRequest,
): Promise<void> => {
  const session = await deps.store.getSession(sid);
  if (session?.userId !== userId) return;
  await deps.store.revokeSession(sid, deps.clock.now());
  await recordAudit(deps, meta, {
    action: 'auth.sign_out',
    actorId: userId,
    targetId: userId,
    detail: { sid },
  });
};

export const endAllSessions = async (
  deps: CoreDeps,
  userId: string,
  meta: RequestMeta = noRequest,
  actorTokenId: string | null = null,
): Promise<number> => {
  // The version first: a sign-in in flight cannot open a session after the sweep.
  await bumpCredentialVersion(deps, userId);
  const ended = await deps.store.revokeUserSessions(userId, deps.clock.now());
  await recordAudit(deps, meta, {
    action: 'auth.sign_out_all',
    actorId: userId,
    actorTokenId,
    targetId: userId,
    detail: { sessions: ended },
  });
  return ended;
};

/** The step-up's auth_time of a caller's session: only a live session of this user has one. */
export const liveSessionAuthTime = async (
  deps: CoreDeps,
  userId: string,
  sid: string | null | undefined,
): Promise<number | null> => {
  const session = sid ? await deps.store.getSession(sid) : null;
  return session?.userId === userId && session.revokedAt === null ? sessionAuthTime(session) : null;
};
