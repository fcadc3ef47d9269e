import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { newId, sha256 } from '../shared/ids';
import type { RefreshTokenRecord, SessionRecord } from '../shared/store';
import { isAtLeast } from '../users/roles';
import type { UserRecord } from '../users/users';
import { credentialVersionOf } from './credential-version';

/**
 * Imported refresh credentials: a users.json `refresh_token`, a secret of the system Gatehouse
 * replaces, kept working so that system's integration tests survive the move (API.md,
 * Federation). It is one client-less session with a stable `sid`, stored as SHA-256 only,
 * never rotated and with no expiry of its own: it dies with its session (sign-out,
 * revocation) or the user's credential version (password, role, status, sign-out everywhere),
 * or when an import no longer carries it.
 */

/** No expiry of its own: later than any clock, so only revocation and the version end it. */
export const IMPORTED_NEVER_EXPIRES = Date.UTC(9999, 11, 31);

/** 16 to 512 printable ASCII characters: what another system's refresh token may look like. */
const IMPORTABLE = /^[\x20-\x7e]{16,512}$/;

export const isImportableRefreshToken = (value: string): boolean => IMPORTABLE.test(value);

/** What an import did to one user's imported credential. */
export interface ImportedRefreshChange {
  /** The live credential's session after the import, if the row carries one. */
  sid: string | null;
  /** A new value was stored (a new session). */
  stored: boolean;
  /** Earlier imported credentials of the user this import ended. */
  revoked: number;
}

const importedOnly = { importedOnly: true };

const taken = () => new GatehouseError('conflict', 'refresh_token: already names another session.');

/**
 * Whether `token` may become `user`'s imported credential (`user` null: one about to be
 * created): answers the stored record when the user already holds this value. A value held
 * by anyone else is refused; a new value only for an active user (another could not use it,
 * and the version move of re-enabling would void it anyway).
 */
export const assertImportableRefreshToken = async (
  deps: CoreDeps,
  user: UserRecord | null,
  token: string | null,
): Promise<RefreshTokenRecord | null> => {
  if (token === null) return null;
  if (!isImportableRefreshToken(token)) {
    throw new GatehouseError(
      'record_invalid',
      'refresh_token: must be 16 to 512 printable ASCII characters.',
    );
  }
  const held = await deps.store.getRefreshToken(sha256(token));
  if (held) {
    if (held.userId !== user?.id || held.imported !== true) throw taken();
    return held;
  }
  if (user && user.status !== 'active') {
    throw new GatehouseError('conflict', `refresh_token: not stored, the user is ${user.status}.`);
  }
  // A never-expiring credential from another system's file carries at most editor: an admin
  // or owner signs in themselves (red team, issue 13: a row naming an owner's email).
  if (user && isAtLeast(user.role, 'admin')) {
    throw new GatehouseError(
      'conflict',
      'refresh_token: not stored, an admin or owner account takes no imported credential.',
    );
  }
  return null;
};

/**
 * Makes `token` the user's one imported refresh credential, or leaves them none (`null`).
 * Invariant: a value names at most one session ever (the store refuses a stored hash), so a
 * value already held by another user or session fails here and never moves. The same value
 * again is a no-op (same sid), even if its session has died meanwhile: a death is final, and
 * only a new value in the file gives a new credential, so a cold start's re-import never
 * revives what a password reset or a revocation ended.
 */
export const setImportedRefreshToken = async (
  deps: CoreDeps,
  user: UserRecord,
  token: string | null,
): Promise<ImportedRefreshChange> => {
  const now = deps.clock.now();
  if (token === null) {
    const revoked = await deps.store.revokeUserSessions(user.id, now, importedOnly);
    return { sid: null, stored: false, revoked };
  }
  const hash = sha256(token);
  const existing = await assertImportableRefreshToken(deps, user, token);
  if (existing) {
    const revoked = await deps.store.revokeUserSessions(user.id, now, {
      ...importedOnly,
      keepSid: existing.sid,
    });
    return { sid: existing.sid, stored: false, revoked };
  }
  const session: SessionRecord = {
    sid: newId(),
    userId: user.id,
    clientId: null,
    createdAt: now,
    expiresAt: IMPORTED_NEVER_EXPIRES,
    revokedAt: null,
    // Opened at the version just read: a password, role or status change since voids it.
    credentialVersion: credentialVersionOf(user),
    origin: 'import',
    // Nobody authenticated here: step-up never counts an imported session as a recent sign-in.
    authTime: 0,
  };
  const refresh: RefreshTokenRecord = {
    hash,
    sid: session.sid,
    userId: user.id,
    createdAt: now,
    expiresAt: IMPORTED_NEVER_EXPIRES,
    usedAt: null,
    imported: true,
  };
  try {
    await deps.store.createSession(session, refresh);
  } catch (error) {
    // Never the store's words alone: they would not say which field failed.
    if (error instanceof GatehouseError && error.code === 'conflict') {
      throw new GatehouseError('conflict', `refresh_token: ${error.message}`);
    }
    throw error;
  }
  // The new one first, then the old ones: a failure in between leaves the file's value live.
  const revoked = await deps.store.revokeUserSessions(user.id, now, {
    ...importedOnly,
    keepSid: session.sid,
  });
  return { sid: session.sid, stored: true, revoked };
};
