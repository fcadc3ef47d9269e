import type { PublicJwk } from './signing-keys';
import type { UserRecord } from './users';

/** A sign-in session; its id (`sid`) survives refresh-token rotation. */
export interface SessionRecord {
  sid: string;
  userId: string;
  clientId: string | null;
  createdAt: number;
  /** Absolute: refreshing never extends it. */
  expiresAt: number;
  revokedAt: number | null;
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
}

export interface LoginFailures {
  failures: number;
  lastFailureAt: number;
}

export type RotationOutcome = 'rotated' | 'already_used' | 'session_revoked';

/**
 * The storage port. Adapters (DynamoDB, in-memory) pass the same contract suite
 * (test/support/store-contract.ts). Uniqueness and races are the adapter's job: it answers
 * a taken email or username with GatehouseError('conflict').
 */
export interface Store {
  /** Creates a user with its unique email and username, atomically. */
  createUser(user: UserRecord): Promise<void>;
  /**
   * Creates the first active owner: fails with 'conflict' if any active owner exists,
   * so two cold starts at once make exactly one.
   */
  createFirstOwner(user: UserRecord): Promise<void>;
  hasActiveOwner(): Promise<boolean>;
  getUser(id: string): Promise<UserRecord | null>;
  findUserByEmail(emailKey: string): Promise<UserRecord | null>;
  findUserByUsername(usernameKey: string): Promise<UserRecord | null>;
  recordSignIn(userId: string, at: number): Promise<void>;
  updatePasswordHash(userId: string, passwordHash: string, at: number): Promise<void>;

  createSession(session: SessionRecord, refresh: RefreshTokenRecord): Promise<void>;
  getSession(sid: string): Promise<SessionRecord | null>;
  getRefreshToken(hash: string): Promise<RefreshTokenRecord | null>;
  /** Marks `oldHash` used and stores `next`, in one step, if neither is spent or revoked. */
  rotateRefreshToken(
    oldHash: string,
    next: RefreshTokenRecord,
    at: number,
  ): Promise<RotationOutcome>;
  revokeSession(sid: string, at: number): Promise<void>;
  revokeUserSessions(userId: string, at: number): Promise<number>;

  getLoginFailures(key: string): Promise<LoginFailures | null>;
  /** Adds one failure, or starts the count at one; the record may vanish after `expiresAt`. */
  recordLoginFailure(
    key: string,
    failure: { at: number; startOver: boolean; expiresAt: number },
  ): Promise<LoginFailures>;
  clearLoginFailures(key: string): Promise<void>;

  getPublishedKeys(): Promise<{ generation: number; keys: PublicJwk[] } | null>;
  /** Publishes the public keys unless a newer generation is already published. */
  publishKeys(generation: number, keys: PublicJwk[]): Promise<void>;
}
