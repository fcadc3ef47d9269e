import type { OneTimeTokenRecord } from '../account/one-time-tokens';
import type { ActivityCounts, ActivityGranularity, ActivityWindow } from '../activity/metrics';
import type { AuditEvent, AuditRecord } from '../audit/audit';
import type { MfaStore } from '../mfa/mfa-store';
import type { AuthorizationCodeRecord } from '../oauth/authorization-codes';
import type { ClientRecord } from '../oauth/clients';
import type { ConsentRecord } from '../oauth/consent';
import type { LockoutPolicy } from '../sessions/lockout';
import type { ApiTokenRecord } from '../tokens/api-tokens';
import type { PublicJwk } from '../tokens/signing-keys';
import type { CredentialOrigin } from '../users/credential-lineage';
import type { Role } from '../users/roles';
import type { UserRecord, UserStatus } from '../users/users';

/** One entry of the revocation feed: the session `sid` ended at `at` (epoch ms). */
export interface Revocation {
  sid: string;
  at: number;
}

/** A sign-in session; its id (`sid`) survives refresh-token rotation. */
export interface SessionRecord {
  sid: string;
  /**
   * Bumped by each step-up renewal (renewSession): a refresh token of an earlier generation is
   * spent, so a renewed session never forks into an old chain and a new one. Absent: 0.
   */
  refreshGeneration?: number;
  userId: string;
  clientId: string | null;
  createdAt: number;
  /** Absolute: refreshing never extends it. */
  expiresAt: number;
  revokedAt: number | null;
  /** SHA-256 of the browser's cookie secret, when the session lives in a browser too. */
  browserHash?: string;
  /** The OAuth scope granted to the session; absent: the role's grants (client-less sign-in). */
  scope?: string[];
  /**
   * The user's credentialVersion the session was opened at (credential-version.ts): absent on
   * sessions stored before it (counts as 0). A refresh needs it to still be the user's.
   */
  credentialVersion?: number;
  /** What opened it (credential-lineage.ts); absent on sessions stored before: unknown. */
  origin?: CredentialOrigin;
  /**
   * When the person last proved who they are for this session (a password, an SSO login),
   * not when the row was written: a session opened by a code keeps the approving browser
   * session's. Absent on sessions stored before: their createdAt.
   */
  authTime?: number;
  /** RFC 8176 methods of the sign-in behind it (and of its last step-up); absent: derived. */
  amr?: string[];
  /** The address the session was opened from (the request's, as the audit keeps it). */
  ip?: string;
  /** The opening request's User-Agent, cut to 200 characters. */
  userAgent?: string;
  /** When a refresh token of it was last rotated (its last use); absent: never refreshed. */
  lastUsedAt?: number;
}

/** At most this many live sessions are listed per user (Store.listUserSessions). */
export const SESSION_LISTING_MAX = 100;

/** Who a lockout counter belongs to: an account, or a login that names nobody. */
export type LockHolder = { userId: string } | { login: string };

/** A lockout counter locked now, as the lockouts view lists it. */
export interface LoginLock extends LoginFailures {
  key: string;
  /** Absent on a counter stored before holders were kept. */
  holder?: LockHolder;
  lockedUntil: number;
}

/** One refresh token of a session, kept only as its SHA-256. */
export interface RefreshTokenRecord {
  hash: string;
  sid: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** Set when the token is rotated; a second use revokes the session. */
  usedAt: number | null;
  /** The session's refreshGeneration it was issued under (absent: 0). */
  generation?: number;
  /**
   * A users.json `refresh_token` (imported-refresh.ts): never rotated, so never spent; it
   * lives exactly as long as its session. Absent on every token Gatehouse made.
   */
  imported?: true;
}

export interface LoginFailures {
  failures: number;
  lastFailureAt: number;
}

export interface LoginFailureRequest {
  at: number;
  expiresAt: number;
  policy: LockoutPolicy;
  unlessLocked: boolean;
  /** Whose counter it is, kept with a lock for the lockouts view. */
  holder?: LockHolder;
}

export type LoginFailureOutcome = LoginFailures & { counted: boolean };

export type RotationOutcome = 'rotated' | 'already_used' | 'session_revoked';

/** Where a listing stopped: the store's own key, opaque to everyone else. */
export type Position = Record<string, string>;

export interface Page<T> {
  items: T[];
  next: Position | null;
}

export interface UserListQuery {
  limit: number;
  after?: Position;
  /** Case-insensitive prefix of email, username or name. */
  prefix?: string;
  role?: Role;
  status?: UserStatus;
}

export interface AuditQuery {
  limit: number;
  after?: Position;
  actorId?: string;
  targetId?: string;
  action?: string;
  /** ISO-8601 bounds, inclusive. */
  since?: string;
  until?: string;
  outcome?: 'success' | 'failure';
}

/**
 * The storage port. Adapters (DynamoDB, in-memory) pass the same contract suite
 * (test/support/store-contract.ts). Uniqueness and races are the adapter's job: it answers
 * a taken email or username with GatehouseError('conflict').
 */
/** What a session's own transaction writes besides it (one round trip for a sign-in). */
export interface SessionStartWrites {
  /** The password failure count to clear. */
  clearLoginFailures?: string;
  /** The sign-in's success event: written only if the session is. */
  audit?: AuditRecord;
  /**
   * The authorization code exchanged for the session, spent in its write: 'conflict' and
   * nothing written when it is gone or spent, so a failed exchange leaves it unspent.
   */
  spendAuthorizationCode?: { hash: string; at: number };
}

/** Which of a user's sessions a sweep spares (Store.revokeUserSessions). */
export interface SessionSweep {
  keepSid?: string;
  belowVersion?: number;
  /**
   * Only the user's imported refresh credentials (sessions of origin 'import'), listed
   * consistently: one imported a moment ago is never missed.
   */
  importedOnly?: boolean;
}

/** A login's uniqueness item (email or username), as sign-in reads it. */
export interface LoginEntry {
  userId: string;
  /**
   * A copy of the user's password hash, written in the same write as every change of the hash
   * or of the login (null: no password; absent: an item from before copies were kept). Only a
   * HINT, possibly stale: sign-in starts bcrypt on it early and accepts a password only against
   * the user item's own hash (sign-in-password-check.ts). Never in an answer, log or audit.
   */
  passwordHashHint?: string | null;
}

/** MFA's methods are declared in core/mfa/mfa-store.ts, beside the records they keep. */
export interface Store extends MfaStore {
  /** Creates a user with its unique email and username, atomically. */
  createUser(user: UserRecord): Promise<void>;
  /**
   * Creates the first active owner: fails with 'conflict' if any active owner exists,
   * so two cold starts at once make exactly one.
   */
  createFirstOwner(user: UserRecord): Promise<void>;
  countActiveOwners(): Promise<number>;
  getUser(id: string): Promise<UserRecord | null>;
  findUserByEmail(emailKey: string): Promise<UserRecord | null>;
  findUserByUsername(usernameKey: string): Promise<UserRecord | null>;
  /**
   * What a login's uniqueness item holds (one read): the user it names, and the hint sign-in
   * starts bcrypt on while it reads the user and counts the attempt.
   */
  findLogin(login: { kind: 'email' | 'username'; key: string }): Promise<LoginEntry | null>;
  /**
   * Replaces `before` by `after` in one atomic write, with its unique fields and the owner
   * count: 'conflict' if the user changed since `before` was read, a new email or username is
   * taken, or the change would leave no active owner.
   */
  updateUser(before: UserRecord, after: UserRecord): Promise<void>;
  /** Deletes the user, atomically with its unique fields ('conflict' as for updateUser). */
  deleteUser(user: UserRecord): Promise<void>;
  /** One page of users, oldest first (by prefix match when `prefix` is set). */
  listUsers(query: UserListQuery): Promise<Page<UserRecord>>;
  /**
   * Brings `user`'s login items' hint up to `user.passwordHash` (as read) without writing the
   * user item (its `updatedAt` stays: no admin edit prepared meanwhile conflicts), only while
   * the user item still holds that hash and the items still name it, atomically. Sign-in's
   * refresh and the operator's backfill. Answers whether it wrote.
   */
  refreshLoginHints(user: UserRecord): Promise<boolean>;
  /**
   * The rehash after a sign-in, with the login items' hint: only while the stored hash is
   * still `verifiedHash` (the one the password was checked against) and the user's login items
   * still name it, atomically, so it never writes an old password back over a new one.
   * Answers whether it wrote.
   */
  updatePasswordHash(
    user: UserRecord,
    passwordHash: string,
    at: number,
    verifiedHash: string,
  ): Promise<boolean>;
  /**
   * Account linking: the user a federated identity is linked to. Every identity in a user's
   * `identities` is unique across users, written atomically with the user by createUser,
   * updateUser and deleteUser ('conflict' when another user holds it).
   */
  findUserByIdentity(provider: string, subject: string): Promise<UserRecord | null>;
  /** Revokes every live API token of the user (a takeover, a role raise); answers how many. */
  revokeUserApiTokens(userId: string, at: number): Promise<number>;

  /**
   * A session without a refresh token is a client's (client_credentials): it only expires.
   * A session opened at a `credentialVersion` (every one the core opens) is written only if,
   * atomically with the write, the user exists at that version (absent on the user counts as
   * 0) and `session.clientId`, when set, names a client that still exists: 'conflict' and
   * nothing written otherwise. The same write records `createdAt` as the user's
   * `lastSignInAt`, and clears `clearLoginFailures`' count (a password sign-in's), so a sign-in
   * pays one round trip for all three. A refresh token's hash names one session ever: a hash
   * already stored (an imported value given twice) is 'conflict' and nothing is written.
   */
  createSession(
    session: SessionRecord,
    refresh: RefreshTokenRecord | null,
    options?: SessionStartWrites,
  ): Promise<void>;
  getSession(sid: string): Promise<SessionRecord | null>;
  /**
   * The user's live sessions (not revoked, unexpired at `now`), newest first, at most `limit`
   * (<= SESSION_LISTING_MAX). The read goes past ended sessions up to a stated budget; `more`
   * says some live ones were left out OR the budget stopped the read (the list may be partial,
   * never silently short). Bounded: never every session of a user who has thousands.
   */
  listUserSessions(
    userId: string,
    now: number,
    limit: number,
  ): Promise<{ sessions: SessionRecord[]; more: boolean }>;
  getRefreshToken(hash: string): Promise<RefreshTokenRecord | null>;
  /**
   * Marks `oldHash` used and stores `next`, in one step, if neither is spent or revoked; the
   * same step sets the session's `lastUsedAt` to `at`.
   */
  rotateRefreshToken(
    oldHash: string,
    next: RefreshTokenRecord,
    at: number,
  ): Promise<RotationOutcome>;
  revokeSession(sid: string, at: number): Promise<void>;
  /**
   * A step-up finished with a second factor (an mfa_token of a `reauth` context), in one step:
   * the live session `sid` of `refresh.userId`, still at its user's `credentialVersion`, gets
   * `authTime`, `amr` and the new refresh token, and the account's failure count is cleared.
   * False, nothing written, when the session ended or the credentials moved meanwhile.
   */
  renewSession(request: {
    refresh: RefreshTokenRecord;
    credentialVersion: number;
    authTime: number;
    amr: string[];
    clearLoginFailures: string;
  }): Promise<boolean>;
  /**
   * Adds `values` to the amr of the session `sid` (its derived methods when none is stored), in
   * one conditional write, if it is live (not revoked, unexpired at `at`); its refresh tokens
   * are untouched. False, nothing written, otherwise.
   */
  addSessionAmr(sid: string, values: string[], at: number): Promise<boolean>;
  /**
   * Moves a live session to the user's new credentialVersion: only the caller's own session,
   * kept by a password change made with the current password.
   */
  keepSessionAtVersion(sid: string, credentialVersion: number): Promise<void>;
  /**
   * Ends every live session of the user but `keepSid` (a password change keeps the caller's).
   * With `belowVersion`, only sessions made at an older credentialVersion: a sign-in that read
   * the user after the change that moved the version keeps what it opened. With `importedOnly`,
   * only imported refresh credentials' sessions.
   */
  revokeUserSessions(userId: string, at: number, options?: SessionSweep): Promise<number>;
  /**
   * Ends every live session issued to the client (a deleted client's, refresh-token and
   * client_credentials sessions alike), including ones created a moment before; answers how many.
   */
  revokeClientSessions(clientId: string, at: number): Promise<number>;
  /** Ends every live session of the user issued to the client (a consent withdrawn). */
  revokeUserClientSessions(userId: string, clientId: string, at: number): Promise<number>;
  /**
   * The revocation feed: every session ended at or after `since`. Invariant: each write that
   * ends a session records its entry in the same atomic step, so the feed names exactly the
   * sessions that ended (the authorizer decides access tokens from it, with no read per session).
   */
  revocationsSince(since: number): Promise<Revocation[]>;

  getLoginFailures(key: string): Promise<LoginFailures | null>;
  /**
   * Counts one failure in ONE atomic step, from the very first (no read-then-write), so N
   * concurrent calls count N: starts over at one when the record is forgotten at `at` (the
   * policy's quiet spell), else adds one. With `unlessLocked`, a key locked at `at` counts
   * nothing and answers `counted: false` with the record as it stands (sign-in reserves its
   * attempt this way before bcrypt). The record may vanish after `expiresAt`.
   */
  recordLoginFailure(key: string, failure: LoginFailureRequest): Promise<LoginFailureOutcome>;
  /**
   * Deletes the counter in one (conditional) write and answers what it removed, or null when
   * nothing was (no counter, or with `loginHolderOnly` one whose holder is not a login).
   */
  clearLoginFailures(
    key: string,
    options?: { loginHolderOnly?: boolean },
  ): Promise<{ holder?: LockHolder } | null>;
  /**
   * The counters locked at `now` under `policy`, latest lock end first, at most `limit`. Read
   * from an index of locks written by the failure's own atomic write (never a scan of counters),
   * so a counter is listed exactly while recordLoginFailure would refuse it as locked. The read
   * goes past ended locks up to a budget; `partial` says the list may miss live locks (more than
   * `limit` are live, or the budget stopped the read): never a silent "nobody".
   */
  listLoginLocks(
    now: number,
    policy: LockoutPolicy,
    limit: number,
  ): Promise<{ locks: LoginLock[]; partial: boolean }>;
  /**
   * Takes back ONE counted attempt (a right password's own), in one conditional write: one
   * less if the count is above zero, nothing otherwise (no record, or cleared meanwhile).
   * Never lowers the count by more than one, so others' failures stay counted.
   */
  releaseLoginAttempt(key: string): Promise<void>;

  createApiToken(token: ApiTokenRecord): Promise<void>;
  getApiToken(tokenId: string): Promise<ApiTokenRecord | null>;
  /** Sets revokedAt once; later calls keep the first time. */
  revokeApiToken(tokenId: string, at: number): Promise<void>;
  /** The renewed token, or null if it is revoked. */
  renewApiToken(tokenId: string, expiresAt: number): Promise<ApiTokenRecord | null>;
  /** Newest first; one user's (userId) or everyone's (null). */
  listApiTokens(query: {
    userId: string | null;
    includeRevoked: boolean;
    limit: number;
    after?: Position;
  }): Promise<Page<ApiTokenRecord>>;

  /** Stores a one-time token (email verification, password reset), hashed. */
  createOneTimeToken(token: OneTimeTokenRecord): Promise<void>;
  /** Spends a one-time token: the record the first time, null after (or if unknown). */
  consumeOneTimeToken(hash: string, at: number): Promise<OneTimeTokenRecord | null>;
  /**
   * Adds one to a counter that lives until `expiresAt` and answers the new count
   * (rate limits: one counter per key and window).
   */
  countHit(key: string, expiresAt: number): Promise<number>;
  /**
   * Records `key` as seen until `expiresAt`: true the first time, false every time after
   * (concurrent callers included) while the marker has not expired at `now`. Replay protection for SSO tokens.
   */
  markOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
  createAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>;
  /** Marks the code used and answers it, once; null if unknown or already used. */
  consumeAuthorizationCode(hash: string, at: number): Promise<AuthorizationCodeRecord | null>;
  /** The code as stored (read strongly), spent or not; null when there is none. */
  getAuthorizationCode(hash: string): Promise<AuthorizationCodeRecord | null>;

  createClient(client: ClientRecord): Promise<void>;
  getClient(clientId: string): Promise<ClientRecord | null>;
  deleteClient(clientId: string): Promise<void>;
  /** Newest first. */
  listClients(query: { limit: number; after?: Position }): Promise<Page<ClientRecord>>;

  /** Remembers an Allow: adds `scopes` to the (user, client) consent, atomically; answers it. */
  grantConsent(consent: ConsentRecord): Promise<ConsentRecord>;
  getConsent(userId: string, clientId: string): Promise<ConsentRecord | null>;
  /** Every consent of the user, oldest grant first. */
  listConsents(userId: string): Promise<ConsentRecord[]>;
  /** Forgets a consent: true if there was one. */
  deleteConsent(userId: string, clientId: string): Promise<boolean>;

  writeAuditEvent(event: AuditEvent, expiresAt: number): Promise<void>;
  /** Newest first. */
  listAuditEvents(query: AuditQuery): Promise<Page<AuditEvent>>;

  /**
   * Adds `counts` to each window's counter (the activity dashboard's), one atomic add per
   * window (no read-then-write), so N concurrent calls add N. Never part of another write.
   */
  addActivity(windows: readonly ActivityWindow[], counts: ActivityCounts): Promise<void>;
  /** The counters of the windows `first`..`last` (window starts, inclusive), by start. */
  readActivity(
    granularity: ActivityGranularity,
    first: string,
    last: string,
  ): Promise<Map<string, ActivityCounts>>;

  getPublishedKeys(): Promise<{ generation: number; keys: PublicJwk[] } | null>;
  /** Publishes the public keys unless a newer generation is already published. */
  publishKeys(generation: number, keys: PublicJwk[]): Promise<void>;
}
