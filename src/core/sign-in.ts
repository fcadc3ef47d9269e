import type { CoreDeps } from './deps';
import { GatehouseError } from './errors';
import { failureRecordExpiry, isForgotten, lockoutKey, secondsLocked } from './lockout';
import { startSession, type TokenResponse } from './sessions';
import { loginKey, type UserRecord } from './users';

export interface SignInRequest {
  login: string;
  password: string;
}

const badCredentials = () =>
  new GatehouseError('invalid_credentials', 'The login or password is incorrect.');

const lockedOut = (seconds: number) =>
  new GatehouseError(
    'too_many_attempts',
    `Too many failed sign-in attempts. Try again in ${seconds} seconds.`,
    seconds,
  );

export const findUserByLogin = (deps: CoreDeps, login: string): Promise<UserRecord | null> => {
  const key = loginKey(login);
  return key.kind === 'email'
    ? deps.store.findUserByEmail(key.key)
    : deps.store.findUserByUsername(key.key);
};

/**
 * Password sign-in. An unknown login and a wrong password cost the same bcrypt work and get
 * the same answer; failures lock the login (known or not) for a growing, capped time.
 */
export const signInWithPassword = async (
  deps: CoreDeps,
  request: SignInRequest,
): Promise<TokenResponse> => {
  const { store, clock, hasher, config } = deps;
  if (!config.passwordLoginEnabled) {
    throw new GatehouseError('password_login_disabled', 'Password sign-in is turned off.');
  }
  const failureKey = lockoutKey(loginKey(request.login).key);
  const [failures, user] = await Promise.all([
    store.getLoginFailures(failureKey),
    findUserByLogin(deps, request.login),
  ]);
  const locked = secondsLocked(failures, clock.now(), config.lockout);
  if (locked > 0) throw lockedOut(locked);

  const passwordOk = user?.passwordHash
    ? await hasher.verify(request.password, user.passwordHash)
    : await hasher.verifyDummy(request.password);
  const now = clock.now();
  if (!user || !passwordOk) {
    await store.recordLoginFailure(failureKey, {
      at: now,
      startOver: isForgotten(failures, now, config.lockout),
      expiresAt: failureRecordExpiry(now, config.lockout),
    });
    throw badCredentials();
  }
  if (failures) await store.clearLoginFailures(failureKey);
  if (user.passwordHash && hasher.needsRehash(user.passwordHash)) {
    await store.updatePasswordHash(user.id, await hasher.hash(request.password), now);
  }
  return startSession(deps, user);
};
