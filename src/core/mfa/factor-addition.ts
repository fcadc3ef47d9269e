import { type RequestMeta, recordAudit } from '../audit/audit';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { tooManyFactors } from './factor-cap';
import type { RecoveryCodeSet } from './factors';
import { type MfaFactorRecord, toPublicFactor, unverifiedSession } from './factors';
import type { FactorAdd } from './mfa-store';
import { newRecoveryCodeSet } from './recovery-codes';

const RETRIES = 3;

/** The store write that adds one confirmed factor, conditional on the count read. */
type AddFactor = (expectedCount: number, recovery: RecoveryCodeSet | null) => Promise<FactorAdd>;

/**
 * Adds a confirmed factor (a TOTP confirm, a WebAuthn registration): the one place that decides
 * recovery codes, the cap and who may add beside an existing factor. Invariants: the first
 * factor, and only it, answers 10 fresh recovery codes; the count read is the write's condition
 * (a race reads again); a session without mfa (`firstOnly`) adds only the first factor, never
 * one beside a factor it did not verify; never more than MAX_FACTORS. Audited `mfa.enroll`.
 */
export const addConfirmedFactor = async (
  deps: CoreDeps,
  factor: MfaFactorRecord,
  write: AddFactor,
  meta: RequestMeta,
  firstOnly: boolean,
) => {
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    const { factors } = await deps.store.getMfaState(factor.userId);
    if (firstOnly && factors.length > 0) throw unverifiedSession();
    const fresh = factors.length === 0 ? await newRecoveryCodeSet() : null;
    const outcome = await write(factors.length, fresh?.set ?? null);
    if (outcome === 'gone')
      throw new GatehouseError('not_found', 'No such factor awaits confirmation.');
    if (outcome === 'full') throw tooManyFactors();
    if (outcome === 'done') {
      await recordAudit(deps, meta, {
        action: 'mfa.enroll',
        actorId: factor.userId,
        targetId: factor.userId,
        detail: { factor_id: factor.factorId, type: factor.type },
      });
      return {
        factor: toPublicFactor(factor),
        ...(fresh ? { recovery_codes: fresh.codes } : {}),
      };
    }
  }
  throw new GatehouseError('conflict', 'Your factors changed meanwhile; try again.');
};
