import { findClient } from '../../core/oauth/client-lookup';
import { userClaims } from '../../core/oauth/userinfo-claims';
import { GatehouseError } from '../../core/shared/errors';
import { type Action, requireActor, requirePrincipal } from '../handler';
import { json } from '../responses';

/** RFC 6750 §3.1: the token is valid but was not granted what this endpoint needs. */
const insufficientScope = () =>
  json(
    403,
    {
      error: 'insufficient_scope',
      error_description: 'userinfo needs an access token granted the openid scope.',
    },
    { 'www-authenticate': 'Bearer error="insufficient_scope", scope="openid"' },
  );

/**
 * OIDC Core §5.3, GET and POST: `sub` and the claims of the granted scopes, read from the user
 * as stored now. Only the Authorization header carries the token: a form body is not read.
 */
export const userInfoAction: Action = async (request) => {
  const principal = requirePrincipal(request);
  // The /oauth/* CORS rule: the origins of the token's client's registered redirect URIs.
  const client = principal.clientId ? await findClient(request.deps, principal.clientId) : null;
  if (client) request.shareWith(client.redirectUris.map((uri) => new URL(uri).origin));
  // Invariant: only an OAuth access token (it has a session) reads userinfo; an API token is
  // a credential for the API, never an OpenID Connect authorization, whatever its scopes.
  if (!principal.sid) {
    throw new GatehouseError(
      'token_invalid',
      'userinfo takes an access token from a sign-in or an OAuth grant, not an API token.',
    );
  }
  // The user as stored now: a disabled, deleted or re-roled account answers 401.
  const { user } = await requireActor(request, { readOnly: true });
  // Userinfo is about a person who signed in: a service account's client_credentials token
  // (granted openid like any client) gets no claims (red team, issue 14).
  if (user.type === 'machine') {
    throw new GatehouseError('token_invalid', 'A service account’s token has no userinfo.');
  }
  // Invariant: no claim leaves without the user's openid grant (OIDC Core §5.3.1).
  if (!principal.scopes.includes('openid')) return insufficientScope();
  return json(200, userClaims(user, principal.scopes));
};
