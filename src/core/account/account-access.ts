import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';

/** What a bearer says about itself: its session (empty for an API token) and its client. */
export interface CallerCredential {
  sid: string;
  clientId: string;
}

/**
 * Invariant (delegated callers), the one rule every route below asks: a token issued to a
 * third-party client, or to a client that no longer exists, is *delegated*. The user let that
 * app act for them only within its scopes on resources, so it:
 * - never mints or extends a credential (POST /tokens, POST /tokens/{id}/renew: 403), since a
 *   minted API token names no client and would outlive the consent and the client;
 * - never ends other sessions (POST /auth/sign-out {all: true}: 403);
 * - at /oauth/revoke with its bearer, reaches only what was issued to its own client;
 * - never changes the account (assertAccountSession).
 * A session without a client, a first-party client's session and an API token are not
 * delegated. An API token (made only by a caller that is not delegated) may mint tokens
 * within its own scopes (createApiToken caps them), and an unscoped one only when it holds
 * all the user's grants, as a session may.
 */
export const isDelegated = async (deps: CoreDeps, token: CallerCredential): Promise<boolean> => {
  if (!token.clientId) return false;
  const client = await deps.store.getClient(token.clientId);
  return !client?.firstParty;
};

/** Refuses a delegated caller (403 `forbidden`); `what` says what it tried, for the message. */
export const assertNotDelegated = async (
  deps: CoreDeps,
  token: CallerCredential,
  what: string,
): Promise<void> => {
  if (await isDelegated(deps, token)) {
    throw new GatehouseError(
      'forbidden',
      `${what} is for Gatehouse's own sign-in, a first-party app or an API token, not a third-party app's token.`,
    );
  }
};

/**
 * Account routes (PATCH/DELETE /me, POST /me/password, /me/grants*) take only a session's
 * access token from a sign-in without a client or through a first-party client: never an API
 * token (no session) nor a delegated caller's token (see isDelegated).
 */
export const assertAccountSession = async (
  deps: CoreDeps,
  token: CallerCredential,
): Promise<void> => {
  if (!token.sid) {
    throw new GatehouseError(
      'forbidden',
      "Changing the account needs a signed-in session's access token, not an API token.",
    );
  }
  if (await isDelegated(deps, token)) {
    throw new GatehouseError(
      'forbidden',
      "The account is changed only with Gatehouse's own sign-in or a first-party app, not a third-party app's token.",
    );
  }
};
