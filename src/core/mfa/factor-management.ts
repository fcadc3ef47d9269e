import { type RequestMeta, recordAudit } from '../audit/audit';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { mfaSummary, toPublicFactor } from './factors';
import { newRecoveryCodeSet } from './recovery-codes';

const RETRIES = 3;
const raced = () => new GatehouseError('conflict', 'The factors changed meanwhile; try again.');
const noSuchFactor = () => new GatehouseError('not_found', 'No such factor.');

/** `GET /me/mfa`: confirmed factors only (pending ones are unlisted). */
export const listFactors = async (deps: CoreDeps, userId: string) => ({
  factors: (await deps.store.getMfaState(userId)).factors.map(toPublicFactor),
});

/** The user record's `mfa` summary, derived from the confirmed factors at read time. */
export const userMfaSummary = async (deps: CoreDeps, userId: string) =>
  mfaSummary((await deps.store.getMfaState(userId)).factors);

/**
 * Removes one factor (the caller proved the user); the last one takes the recovery codes.
 * Answers the factor as it was listed (for the notice mail).
 */
export const removeFactor = async (
  deps: CoreDeps,
  userId: string,
  factorId: string,
  meta: RequestMeta,
): Promise<ReturnType<typeof toPublicFactor>> => {
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    const { factors } = await deps.store.getMfaState(userId);
    const factor = factors.find((candidate) => candidate.factorId === factorId);
    if (!factor) throw noSuchFactor();
    // Invariant: no recovery code outlives the user's last factor (same transaction).
    const outcome = await deps.store.removeFactor(
      userId,
      factorId,
      factors.length,
      factor.webauthn?.credentialId,
    );
    if (outcome === 'gone') throw noSuchFactor();
    if (outcome === 'done') {
      await recordAudit(deps, meta, {
        action: 'mfa.remove',
        actorId: userId,
        targetId: userId,
        detail: { factor_id: factorId, type: factor.type },
      });
      return toPublicFactor(factor);
    }
  }
  throw raced();
};

/** Deletes every factor and recovery code of the user, as read; answers how many factors went. */
const deleteAllFactors = async (deps: CoreDeps, userId: string): Promise<number> => {
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    const { factors } = await deps.store.getMfaState(userId);
    // Invariant: a cleared factor's passkey stops signing in (lookups go in the same write).
    const outcome = await deps.store.clearFactors(
      userId,
      factors.map((factor) => factor.factorId),
      factors.map((factor) => factor.webauthn?.credentialId ?? ''),
    );
    if (outcome === 'done') return factors.length;
  }
  throw raced();
};

/**
 * An admin's reset (lost phone): every factor and recovery code of the user goes. The caller
 * checks the role rules and ends the user's sessions (API.md, `DELETE /users/{id}/mfa`).
 */
export const clearFactors = async (
  deps: CoreDeps,
  actorId: string | null,
  userId: string,
  meta: RequestMeta,
): Promise<number> => {
  const cleared = await deleteAllFactors(deps, userId);
  await recordAudit(deps, meta, {
    action: 'mfa.reset',
    actorId,
    targetId: userId,
    detail: { factors: cleared },
  });
  return cleared;
};

/** A deleted user's factors (their own partition); answers how many went, for its audit entry. */
export const forgetFactors = (deps: CoreDeps, userId: string): Promise<number> =>
  deleteAllFactors(deps, userId);

/** New recovery codes (the caller proved the user): the old set dies in the same write. */
export const regenerateRecoveryCodes = async (
  deps: CoreDeps,
  userId: string,
  meta: RequestMeta,
): Promise<{ recovery_codes: string[] }> => {
  const fresh = await newRecoveryCodeSet();
  // Invariant: recovery codes exist only while the user has a confirmed factor.
  if (!(await deps.store.replaceRecoveryCodes(userId, fresh.set)))
    throw new GatehouseError('conflict', 'Recovery codes need a confirmed factor first.');
  await recordAudit(deps, meta, {
    action: 'mfa.recovery_codes',
    actorId: userId,
    targetId: userId,
  });
  return { recovery_codes: fresh.codes };
};
