import { exchangeAuthorizationCode } from '../../core/oauth/authorization-codes';
import { issueClientToken } from '../../core/oauth/client-credentials';
import type { ClientRecord, GrantType } from '../../core/oauth/clients';
import { MFA_GRANT_TYPE } from '../../core/oauth/mfa-grant';
import { InvalidScopeError, parseScope } from '../../core/oauth/oauth-scopes';
import { finishMfaSignIn } from '../../core/sessions/mfa-sign-in';
import { rotateRefreshToken, type TokenResponse } from '../../core/sessions/sessions';
import { signInWithPassword } from '../../core/sessions/sign-in';
import { isGatehouseError } from '../../core/shared/errors';
import type { ActionRequest } from '../handler';
import { OAuthProtocolError } from '../oauth-errors';
import type { TokenRequestForm } from '../schemas';
import { clientFailed } from './oauth';
import { assertionFromFormField } from './webauthn-json';

/** What a grant handler gets: the request, its form, and the client that made it. */
export interface GrantContext {
  request: ActionRequest;
  form: TokenRequestForm;
  client: ClientRecord | null;
}

/** A grant's token response body (RFC 6749 §5.1). */
export type GrantHandler = (context: GrantContext) => Promise<object>;

const missing = (name: string) => new OAuthProtocolError('invalid_request', `${name} is required.`);

/** The MFA grant's `code` when no `credential` is given. */
const requireCode = (code: string | undefined): string => {
  if (!code) throw missing('code');
  return code;
};

const requireClientFor = (client: ClientRecord | null, grant: GrantType): ClientRecord => {
  if (!client) throw clientFailed();
  if (!client.grantTypes.includes(grant)) {
    throw new OAuthProtocolError('unauthorized_client', `This client may not use ${grant}.`);
  }
  return client;
};

/**
 * RFC 6749 §5.1: no `user` (clients ask /me), the scope the access token carries, and with
 * `openid` the OpenID Connect `id_token`.
 */
const tokenFields = (tokens: TokenResponse, client: ClientRecord | null) => ({
  access_token: tokens.access_token,
  token_type: tokens.token_type,
  expires_in: tokens.expires_in,
  // Invariant: a client without the refresh_token grant gets no refresh token it cannot use.
  ...(client && !client.grantTypes.includes('refresh_token')
    ? {}
    : { refresh_token: tokens.refresh_token }),
  scope: tokens.scope,
  ...(tokens.id_token ? { id_token: tokens.id_token } : {}),
});

/** A refused grant is `invalid_grant`, whatever the reason, as RFC 6749 §5.2 has it. */
const asInvalidGrant = async <T>(work: Promise<T>): Promise<T> => {
  try {
    return await work;
  } catch (error) {
    // A scope refusal stays one: the token endpoint answers it `invalid_scope`.
    if (error instanceof InvalidScopeError || !isGatehouseError(error)) throw error;
    // A due second factor is answered as API.md says: 403 mfa_required with the mfa_token.
    if (error.code === 'mfa_required') throw error;
    // A dependency out is no refusal: 503 temporarily_unavailable, so the client tries again.
    if (['internal', 'record_invalid', 'unavailable'].includes(error.code)) throw error;
    if (error.code === 'password_login_disabled') {
      throw new OAuthProtocolError('unsupported_grant_type', error.message);
    }
    throw new OAuthProtocolError('invalid_grant', error.message);
  }
};

const refreshTokenGrant: GrantHandler = async ({ request, form, client }) => {
  if (!form.refresh_token) throw missing('refresh_token');
  if (client) requireClientFor(client, 'refresh_token');
  // The core refuses a client's token unless `client` is that client (credential binding);
  // `scope` narrows the session's grant for this token only, never widens it.
  const caller = { endpoint: 'oauth', client } as const;
  const scope = parseScope(form.scope);
  return tokenFields(
    await asInvalidGrant(rotateRefreshToken(request.deps, form.refresh_token, caller, scope)),
    client,
  );
};

const passwordGrant: GrantHandler = async ({ request, form, client }) => {
  const trusted = requireClientFor(client, 'password');
  if (!trusted.firstParty) {
    throw new OAuthProtocolError(
      'unauthorized_client',
      'The password grant is for first-party clients.',
    );
  }
  if (!form.username) throw missing('username');
  if (form.password === undefined) throw missing('password');
  const login = {
    login: form.username,
    password: form.password,
    clientId: trusted.clientId,
    scope: parseScope(form.scope),
  };
  return tokenFields(
    await asInvalidGrant(signInWithPassword(request.deps, login, request.meta)),
    trusted,
  );
};

/**
 * Finishes a password grant that answered mfa_required (API.md, MFA): any client allowed the
 * password grant may use it, without registering it. Invariant: the session is the client's
 * whose password grant issued the mfa_token; another client's attempt is refused unspent.
 */
const mfaGrant: GrantHandler = async ({ request, form, client }) => {
  const caller = requireClientFor(client, 'password');
  if (!form.mfa_token) throw missing('mfa_token');
  const input = form.credential
    ? { mfaToken: form.mfa_token, credential: assertionFromFormField(form.credential) }
    : { mfaToken: form.mfa_token, code: requireCode(form.code) };
  const finisher = { endpoint: 'oauth', client: caller } as const;
  return tokenFields(
    await asInvalidGrant(finishMfaSignIn(request.deps, input, finisher, request.meta)),
    caller,
  );
};

const authorizationCodeGrant: GrantHandler = async ({ request, form, client }) => {
  const caller = requireClientFor(client, 'authorization_code');
  if (!form.code) throw missing('code');
  if (!form.redirect_uri) throw missing('redirect_uri');
  if (!form.code_verifier && !caller.confidential) throw missing('code_verifier');
  const exchange = {
    code: form.code,
    clientId: caller.clientId,
    redirectUri: form.redirect_uri,
    ...(form.code_verifier ? { codeVerifier: form.code_verifier } : {}),
  };
  return tokenFields(
    await asInvalidGrant(exchangeAuthorizationCode(request.deps, exchange, request.meta)),
    caller,
  );
};

const clientCredentialsGrant: GrantHandler = async ({ request, form, client }) => {
  const caller = requireClientFor(client, 'client_credentials');
  try {
    return await issueClientToken(request.deps, caller, form.scope, request.meta);
  } catch (error) {
    if (isGatehouseError(error) && error.code === 'forbidden') {
      throw new OAuthProtocolError('invalid_scope', error.message);
    }
    if (isGatehouseError(error) && error.code === 'account_disabled') {
      throw new OAuthProtocolError('unauthorized_client', error.message);
    }
    throw error;
  }
};

/** One handler per grant type (node-oidc-provider's shape): a new grant is a new entry. */
export const grantHandlers: Record<GrantType | typeof MFA_GRANT_TYPE, GrantHandler> = {
  refresh_token: refreshTokenGrant,
  password: passwordGrant,
  authorization_code: authorizationCodeGrant,
  client_credentials: clientCredentialsGrant,
  [MFA_GRANT_TYPE]: mfaGrant,
};
