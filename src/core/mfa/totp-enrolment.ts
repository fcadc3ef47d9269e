import type { RequestMeta } from '../audit/audit';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { newId } from '../shared/ids';
import type { UserRecord } from '../users/users';
import { addConfirmedFactor } from './factor-addition';
import { assertRoomForFactor } from './factor-cap';
import { type MfaFactorRecord, UNCONFIRMED_FACTOR_MS } from './factors';
import { matchTotpStep, newTotpSecret, totpIssuer, totpUri } from './totp';

/** Starts a TOTP enrolment: unlisted and inert until a code confirms it (the caller proved the user). */
export const enrolTotp = async (deps: CoreDeps, user: UserRecord, name?: string) => {
  // Refused before a secret is made; the confirmation's count condition is what holds the cap.
  assertRoomForFactor((await deps.store.getMfaState(user.id)).factors.length);
  const now = deps.clock.now();
  const secret = newTotpSecret();
  const factorId = newId();
  await deps.store.createPendingFactor({
    factorId,
    userId: user.id,
    type: 'totp',
    name: name?.trim() || 'Authenticator app',
    createdAt: now,
    expiresAt: now + UNCONFIRMED_FACTOR_MS,
    totp: { secret },
  });
  return {
    factor_id: factorId,
    secret,
    otpauth_uri: totpUri(secret, totpIssuer(deps.config.issuerUrl), user.email),
  };
};

const invalidCode = () => new GatehouseError('record_invalid', 'That code is not right.');

/**
 * Confirms a pending TOTP factor with a code from it, exactly once; the user's first factor
 * also answers 10 fresh recovery codes (shown this once, stored hashed).
 */
export const confirmTotp = async (
  deps: CoreDeps,
  user: UserRecord,
  factorId: string,
  code: string,
  meta: RequestMeta,
  /** Only as the user's first factor: the confirming session verified none (reauthentication.ts). */
  firstOnly = false,
) => {
  const now = deps.clock.now();
  const pending = await deps.store.getPendingFactor(factorId);
  // An expired, another user's or already confirmed enrolment is unknown to this user.
  if (!pending || pending.userId !== user.id || pending.expiresAt <= now || !pending.totp)
    throw new GatehouseError('not_found', 'No such factor awaits confirmation.');
  const step = matchTotpStep(pending.totp.secret, code, now);
  if (step === null) throw invalidCode();
  const factor: MfaFactorRecord = {
    factorId,
    userId: user.id,
    type: 'totp',
    name: pending.name,
    createdAt: pending.createdAt,
    lastUsedAt: null,
    confirmedAt: now,
    // The confirming code's step is spent: it cannot be replayed at sign-in.
    totp: { secret: pending.totp.secret, lastStep: step },
  };
  // Invariant: a pending factor is confirmed at most once (the store spends it atomically).
  return addConfirmedFactor(
    deps,
    factor,
    (expectedCount, recovery) =>
      deps.store.confirmFactor({ factor, at: now, expectedCount, recovery }),
    meta,
    firstOnly,
  );
};
