import { countActivity } from '../activity/count-activity';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import type { FactorType, MfaState } from './factors';
import { issueMfaToken } from './mfa-challenge';
import type { MfaLoginContext } from './mfa-tokens';

/** What a sign-in answers beside `error` when a factor is due (API.md, MFA). */
export interface FactorChoice {
  factor_id: string;
  type: FactorType;
}

/** 403 `mfa_required`: the first step was right; finish with the factor and this mfa_token. */
export class MfaRequiredError extends GatehouseError {
  constructor(
    readonly mfaToken: string,
    readonly factors: FactorChoice[],
  ) {
    super(
      'mfa_required',
      'A second factor is needed: verify one of your factors with the mfa_token.',
    );
  }
}

/**
 * Every sign-in path calls this after its first step succeeds and before it opens a session.
 * Invariant: a user with a confirmed factor gets no session from a first step alone, whatever
 * the path (API, hosted page, password grant, SSO, federation): only an mfa_token.
 */
export const requireSecondFactor = async (
  deps: CoreDeps,
  userId: string,
  context: MfaLoginContext,
  /** The user's MFA state when the caller read it already (in parallel with its first step). */
  known?: MfaState,
  /** The account's failure count after the first step's attempt, when it took one. */
  failuresNow?: number,
): Promise<void> => {
  const { factors } = known ?? (await deps.store.getMfaState(userId));
  if (factors.length === 0) return;
  // The challenge's count is started, never awaited (a lost token write over-counts one, 503).
  countActivity(deps, { mfa_challenges: 1 });
  const { mfaToken } = await issueMfaToken(deps, userId, context, failuresNow);
  throw new MfaRequiredError(
    mfaToken,
    factors.map((f) => ({ factor_id: f.factorId, type: f.type })),
  );
};
