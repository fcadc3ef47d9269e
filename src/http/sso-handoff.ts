import { issueAuthorizationCode } from '../core/oauth/authorization-codes';
import { findClient } from '../core/oauth/client-lookup';
import { grantScopes } from '../core/oauth/oauth-scopes';
import { credentialVersionOf } from '../core/sessions/credential-version';
import type { CoreDeps } from '../core/shared/deps';
import type { UserRecord } from '../core/users/users';

const withCode = (returnTo: string, code: string): string => {
  const url = new URL(returnTo, 'http://relative.invalid');
  url.searchParams.set('code', code);
  return returnTo.startsWith('/') ? `${url.pathname}${url.search}` : url.toString();
};

/**
 * Where a finished SSO sign-in sends the browser: `returnTo`, with a one-time code when the
 * flow began with a PKCE challenge for a client taking codes there. Shared by the SSO
 * callback and the account-link page that finishes it (src/web/pages/link-account.ts).
 * No consent page on this path, so only a first-party client gets a code (assertCodeHandOff
 * refused the others at both legs; a client made third-party since gets none).
 */
export const ssoLandingFor = async (
  deps: CoreDeps,
  user: UserRecord,
  returnTo: string,
  flow: { codeChallenge: string; clientId: string } | null,
): Promise<string> => {
  const client = flow ? await findClient(deps, flow.clientId) : null;
  if (!flow || !client?.firstParty) return returnTo;
  const code = await issueAuthorizationCode(deps, {
    clientId: client.clientId,
    credentialVersion: credentialVersionOf(user),
    redirectUri: returnTo,
    codeChallenge: flow.codeChallenge,
    userId: user.id,
    scope: grantScopes(deps.scopes, user.role, null, true),
    origin: 'sso',
    // The SSO login that just happened.
    authTime: deps.clock.now(),
  });
  return withCode(returnTo, code);
};
