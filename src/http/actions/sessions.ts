import { assertNotDelegated } from '../../core/account/account-access';
import {
  endAllSessions,
  endSession,
  endSessionByRefreshToken,
  rotateRefreshToken,
} from '../../core/sessions/sessions';
import { GatehouseError } from '../../core/shared/errors';
import type { Action } from '../handler';
import { json, noContent } from '../responses';
import type { RefreshBody, SignOutBody } from '../schemas';

export const refresh: Action = async ({ deps, body }) =>
  json(
    200,
    await rotateRefreshToken(deps, (body as RefreshBody).refresh_token, { endpoint: 'auth' }),
  );

export const signOut: Action = async ({ deps, body, principal, meta }) => {
  const request = body as SignOutBody;
  if (request.all) {
    if (!principal || principal.actingAsDefaultOwner) {
      throw new GatehouseError('token_invalid', 'Signing out everywhere needs a bearer token.');
    }
    // Ends sessions other than the caller's: never for a delegated caller (account-access.ts).
    await assertNotDelegated(deps, principal, 'Signing out everywhere');
    await endAllSessions(deps, principal.userId, meta, principal.jti || null);
  } else if (request.refresh_token) {
    await endSessionByRefreshToken(deps, request.refresh_token, meta);
  } else if (principal?.sid) {
    // A bearer and no refresh token: the bearer's own session ends.
    await endSession(deps, principal.userId, principal.sid, meta);
  } else {
    throw new GatehouseError(
      'record_invalid',
      'body: give refresh_token, or sign out with a session access token as the bearer.',
    );
  }
  return noContent();
};
