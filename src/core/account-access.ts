import type { CoreDeps } from './deps';
import { GatehouseError } from './errors';

/**
 * Account routes (PATCH/DELETE /me, POST /me/password, /me/grants*) take only a session's
 * access token from a sign-in without a client or through a first-party client: never an API
 * token (no session) nor a third-party client's token, which the user let act for them only
 * within its scopes, not on the account itself.
 */
export const assertAccountSession = async (
  deps: CoreDeps,
  token: { sid: string; clientId: string },
): Promise<void> => {
  if (!token.sid) {
    throw new GatehouseError(
      'forbidden',
      "Changing the account needs a signed-in session's access token, not an API token.",
    );
  }
  if (!token.clientId) return;
  const client = await deps.store.getClient(token.clientId);
  if (!client?.firstParty) {
    throw new GatehouseError(
      'forbidden',
      "The account is changed only with Gatehouse's own sign-in or a first-party app, not a third-party app's token.",
    );
  }
};
