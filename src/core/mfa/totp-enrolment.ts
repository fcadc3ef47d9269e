import { type RequestMeta, recordAudit } from '../audit/audit';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { newId } from '../shared/ids';
import type { UserRecord } from '../users/users';
import { assertRoomForFactor, tooManyFactors } from './factor-cap';
import {
  type MfaFactorRecord,
  toPublicFactor,
  UNCONFIRMED_FACTOR_MS,
  unverifiedSession,
} from './factors';
import { newRecoveryCodeSet } from './recovery-codes';
import { matchTotpStep, newTotpSecret, totpIssuer, totpUri } from './totp';

const RETRIES = 3;

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
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    const { factors } = await deps.store.getMfaState(user.id);
    // Invariant A: a session without mfa adds only the first factor (the write is conditional
    // on this count), never one beside a factor it did not verify.
    if (firstOnly && factors.length > 0) throw unverifiedSession();
    const fresh = factors.length === 0 ? await newRecoveryCodeSet() : null;
    // Invariant: a pending factor is confirmed at most once (the store spends it atomically).
    const outcome = await deps.store.confirmFactor({
      factor,
      at: now,
      expectedCount: factors.length,
      recovery: fresh?.set ?? null,
    });
    if (outcome === 'gone')
      throw new GatehouseError('not_found', 'No such factor awaits confirmation.');
    if (outcome === 'full') throw tooManyFactors();
    if (outcome === 'done') {
      await recordAudit(deps, meta, {
        action: 'mfa.enroll',
        actorId: user.id,
        targetId: user.id,
        detail: { factor_id: factorId, type: 'totp' },
      });
      return {
        factor: toPublicFactor(factor),
        ...(fresh ? { recovery_codes: fresh.codes } : {}),
      };
    }
  }
  throw new GatehouseError('conflict', 'Your factors changed meanwhile; try again.');
};
