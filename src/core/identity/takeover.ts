import type { RequestMeta } from '../audit/audit';
import { clearFactors } from '../mfa/factor-management';
import type { CoreDeps } from '../shared/deps';
import { removeCredentialsForTakeover } from './account-linking';

/**
 * THE takeover of an account whose email was unproven, for every path that proves it (an SSO
 * or federated login's takeover, a mailed reset or verification link, the challenge page and
 * the hosted link page finishing one). Invariant: after any proof of an unproven email, no
 * credential or factor made before the proof works: sessions (but `keepSid`, the prover's
 * own), API tokens and consents end, then every factor, recovery code and passkey lookup goes
 * (audited `mfa.reset`). A role raise ends credentials alone (a real owner's factors stay).
 */
export const takeOverUnprovenAccount = async (
  deps: CoreDeps,
  userId: string,
  meta: RequestMeta,
  keepSid?: string,
): Promise<void> => {
  // Sessions, factors, sessions again: a passkey sign-in that lands between the first sweep
  // and the clear starts at the new credential version, and only the second sweep ends it.
  await removeCredentialsForTakeover(deps, userId, deps.clock.now(), keepSid);
  await clearFactors(deps, null, userId, meta);
  await removeCredentialsForTakeover(deps, userId, deps.clock.now(), keepSid);
};

/**
 * Before a link's proof of an unproven email is saved: the squatter's factors go first, so a
 * failure leaves the address unproven (a new link retries the takeover), never proven with the
 * squatter's keys alive. takeOverUnprovenAccount runs again after the save.
 */
export const clearSquatterFactors = (
  deps: CoreDeps,
  userId: string,
  meta: RequestMeta,
): Promise<unknown> => clearFactors(deps, null, userId, meta);

/** What a provider's login ended of the account's earlier credentials (sso-account.ts). */
export type CleanUp = 'takeover' | 'raise' | null;

/**
 * After the new session, once more: whatever a concurrent sign-in opened (or added, for a
 * takeover) meanwhile dies; only the new session `keepSid` stays.
 */
export const sweepAfterSession = async (
  deps: CoreDeps,
  cleanUp: CleanUp,
  userId: string,
  meta: RequestMeta,
  keepSid: string | undefined,
): Promise<void> => {
  if (cleanUp === 'takeover') await takeOverUnprovenAccount(deps, userId, meta, keepSid);
  else if (cleanUp === 'raise')
    await removeCredentialsForTakeover(deps, userId, deps.clock.now(), keepSid);
};
