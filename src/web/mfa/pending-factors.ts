import { mfaTokenHash } from '../../core/mfa/mfa-tokens';
import type { CoreDeps } from '../../core/shared/deps';

/** A WebAuthn factor the challenge page offers: its id (for the options) and its name. */
export interface KeyChoice {
  factorId: string;
  name: string;
}

/** What the challenge page offers: the keys, and whether an authenticator app is there too. */
export interface PendingFactors {
  keys: KeyChoice[];
  hasApp: boolean;
}

/**
 * The factors of the sign-in waiting in this browser's mfa_token cookie (read, never spent:
 * only a verify spends it); the code form alone for a bad, spent or expired token. The core has no
 * use case that lists them by token yet, so this reads as its `mfaChallenge` does.
 */
export const pendingFactors = async (deps: CoreDeps, mfaToken: string): Promise<PendingFactors> => {
  const none = { keys: [], hasApp: true };
  if (!mfaToken) return none;
  const token = await deps.store.getMfaToken(mfaTokenHash(mfaToken));
  if (!token || token.usedAt !== null || token.expiresAt <= deps.clock.now()) return none;
  const { factors } = await deps.store.getMfaState(token.userId);
  return {
    keys: factors
      .filter((factor) => factor.type === 'webauthn')
      .map((factor) => ({ factorId: factor.factorId, name: factor.name })),
    hasApp: factors.some((factor) => factor.type === 'totp'),
  };
};
