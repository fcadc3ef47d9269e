import { mfaTokenHash } from '../mfa/mfa-tokens';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';

/**
 * `POST /auth/mfa/challenge {mfa_token, factor_id}`: a WebAuthn factor's assertion options
 * (WebAuthn is not in this round). The token is checked, never spent: only a verify spends it.
 */
export const mfaChallenge = async (
  deps: CoreDeps,
  input: { mfaToken: string; factorId: string },
): Promise<never> => {
  const token = await deps.store.getMfaToken(mfaTokenHash(input.mfaToken));
  if (!token || token.usedAt !== null || token.expiresAt <= deps.clock.now()) {
    throw new GatehouseError('token_invalid', 'The mfa_token is invalid or spent.');
  }
  const { factors } = await deps.store.getMfaState(token.userId);
  const factor = factors.find((f) => f.factorId === input.factorId);
  if (!factor) throw new GatehouseError('not_found', 'factor_id: no such factor.');
  throw new GatehouseError(
    'record_invalid',
    factor.type === 'totp'
      ? 'factor_id: a TOTP factor needs no challenge; send its code to /auth/mfa/verify.'
      : 'factor_id: WebAuthn sign-in is not available yet.',
  );
};
