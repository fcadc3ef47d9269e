import { type RequestMeta, recordAudit } from '../audit/audit';
import { accountLockoutKey, lockEnd, secondsLocked } from '../sessions/lockout';
import type { CoreDeps } from '../shared/deps';
import type { LoginLock } from '../shared/store';
import { loadUser } from './user-management';
import {
  type Actor,
  auditActor,
  operatorDetail,
  refuseIf,
  whyNotClearLock,
  whyNotClearLoginLock,
} from './user-policy';
import type { UserRecord } from './users';

/** At most this many locks on the lockouts view: an attack past it shows the newest. */
const LOCKS_SHOWN = 200;

/** A lock as the view shows it: its holder's account when it names one, and who may clear it. */
export interface ShownLock extends LoginLock {
  user: UserRecord | null;
  /** From the rules clearUserLock and clearLoginLock enforce. */
  canClear: boolean;
}

/** Who may clear a lock: the account's password rule, or admins for a login of nobody. */
const whyNotClear = (actor: Actor, lock: LoginLock, user: UserRecord | null): string | null => {
  if (!lock.holder) return 'This lock names no login: it ends by itself.';
  if ('login' in lock.holder) return whyNotClearLoginLock(actor);
  return user ? whyNotClearLock(actor, user) : whyNotClearLoginLock(actor);
};

/** Who is locked now (admins and owners; the page checks the scope), from the lock index. */
export const listLockouts = async (
  deps: CoreDeps,
  actor: Actor,
): Promise<{ locks: ShownLock[]; partial: boolean }> => {
  const { locks, partial } = await deps.store.listLoginLocks(
    deps.clock.now(),
    deps.config.lockout,
    LOCKS_SHOWN,
  );
  const ids = [
    ...new Set(
      locks.flatMap((lock) => (lock.holder && 'userId' in lock.holder ? [lock.holder.userId] : [])),
    ),
  ];
  const users = new Map(
    (await Promise.all(ids.map((id) => deps.store.getUser(id)))).flatMap((user) =>
      user ? [[user.id, user] as const] : [],
    ),
  );
  const shown = locks.map((lock) => {
    const user =
      lock.holder && 'userId' in lock.holder ? (users.get(lock.holder.userId) ?? null) : null;
    return { ...lock, user, canClear: whyNotClear(actor, lock, user) === null };
  });
  return { locks: shown, partial };
};

/** The user's account lock now, or null (the user page). */
export const userLock = async (
  deps: CoreDeps,
  userId: string,
): Promise<{ failures: number; lockedUntil: number } | null> => {
  const record = await deps.store.getLoginFailures(accountLockoutKey(userId));
  const { lockout } = deps.config;
  if (!record || secondsLocked(record, deps.clock.now(), lockout) === 0) return null;
  return { failures: record.failures, lockedUntil: lockEnd(record, lockout) };
};

/**
 * Clears a user's account lock: whoever may reset their password may. The count goes (the
 * right password gets in at once); nothing else changes. Audited `user.unlock` only when a
 * counter was removed; answers whether one was.
 */
export const clearUserLock = async (
  deps: CoreDeps,
  actor: Actor,
  userId: string,
  meta: RequestMeta,
): Promise<boolean> => {
  const user = await loadUser(deps, userId);
  refuseIf(whyNotClearLock(actor, user));
  const removed = await deps.store.clearLoginFailures(accountLockoutKey(user.id));
  // A clear that removed nothing is said as such, never audited as a clear.
  if (!removed) return false;
  await recordAudit(deps, meta, {
    action: 'user.unlock',
    ...auditActor(actor),
    targetId: user.id,
    detail: operatorDetail(actor),
  });
  return true;
};

/**
 * Clears the lock of a login that names nobody (admins and owners), named by its counter's key
 * as the lock index lists it (never a login rebuilt from what the page shows). Only a login's
 * counter is removed, in one conditional delete: an account's lock goes by clearUserLock's
 * rule. Audited `user.unlock` (the masked login) only when a counter was removed.
 */
export const clearLoginLock = async (
  deps: CoreDeps,
  actor: Actor,
  key: string,
  meta: RequestMeta,
): Promise<boolean> => {
  refuseIf(whyNotClearLoginLock(actor));
  const removed = await deps.store.clearLoginFailures(key, { loginHolderOnly: true });
  if (!removed) return false;
  const login = removed.holder && 'login' in removed.holder ? removed.holder.login : null;
  await recordAudit(deps, meta, {
    action: 'user.unlock',
    ...auditActor(actor),
    targetId: null,
    detail: { ...(login ? { login } : {}), ...operatorDetail(actor) },
  });
  return true;
};
