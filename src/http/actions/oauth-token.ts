import { exchangeAuthorizationCode } from '../../core/authorization-codes';
import { issueClientToken } from '../../core/client-credentials';
import { findPublicClient } from '../../core/client-lookup';
import { authenticateClient, type ClientRecord, type GrantType } from '../../core/clients';
import type { CoreDeps } from '../../core/deps';
import { isGatehouseError } from '../../core/errors';
import { InvalidScopeError, parseScope } from '../../core/oauth-scopes';
import { rotateRefreshToken, type TokenResponse } from '../../core/sessions';
import { signInWithPassword } from '../../core/sign-in';
import type { Action, ActionRequest } from '../handler';
import { fromOAuthProtocolError, OAuthProtocolError, oauthError } from '../oauth-errors';
import { type HttpResult, json } from '../responses';
import type { TokenRequestForm } from '../schemas';
import { clientCredentials, clientFailed } from './oauth';

const missing = (name: string) => new OAuthProtocolError('invalid_request', `${name} is required.`);

/** The client making the request: authenticated when confidential, named when public. */
const identifyClient = async (
  request: ActionRequest,
  form: TokenRequestForm,
): Promise<ClientRecord | null> => {
  const credentials = clientCredentials(request, form);
  if (credentials) {
    const client = await authenticateClient(request.deps, credentials.id, credentials.secret);
    if (!client) throw clientFailed();
    return client;
  }
  if (!form.client_id) return null;
  // A confidential client must prove itself; a public one only names itself.
  const client = await findPublicClient(request.deps, form.client_id);
  if (!client) throw clientFailed();
  return client;
};

const requireClientFor = (client: ClientRecord | null, grant: GrantType): ClientRecord => {
  if (!client) throw clientFailed();
  if (!client.grantTypes.includes(grant)) {
    throw new OAuthProtocolError('unauthorized_client', `This client may not use ${grant}.`);
  }
  return client;
};

/** RFC 6749 §5.1: no `user` (clients ask /me), the scope the access token carries. */
const tokenAnswer = (_deps: CoreDeps, tokens: TokenResponse) =>
  json(
    200,
    {
      access_token: tokens.access_token,
      token_type: tokens.token_type,
      expires_in: tokens.expires_in,
      refresh_token: tokens.refresh_token,
      scope: tokens.scope,
    },
    { pragma: 'no-cache' },
  );

/** A refused grant is `invalid_grant`, whatever the reason, as RFC 6749 §5.2 has it. */
const asInvalidGrant = async <T>(work: Promise<T>): Promise<T> => {
  try {
    return await work;
  } catch (error) {
    if (error instanceof InvalidScopeError) throw error;
    if (isGatehouseError(error) && error.code === 'password_login_disabled') {
      throw new OAuthProtocolError('unsupported_grant_type', error.message);
    }
    if (isGatehouseError(error) && error.code !== 'internal' && error.code !== 'record_invalid') {
      throw new OAuthProtocolError('invalid_grant', error.message);
    }
    throw error;
  }
};

/**
 * CORS for single-page apps: a browser on a client's redirect origin (or an allowed origin)
 * may read the answer. The body is a form post, a "simple" request: no preflight is needed.
 */
const withCors = (request: ActionRequest, client: ClientRecord | null, result: HttpResult) => {
  const origin = request.origin;
  if (!origin) return result;
  const allowed = [
    ...request.deps.config.allowedRedirectOrigins,
    ...(client?.redirectUris ?? []).map((uri) => new URL(uri).origin),
  ];
  if (!allowed.includes(origin)) return result;
  return {
    ...result,
    headers: { ...result.headers, 'access-control-allow-origin': origin, vary: 'Origin' },
  };
};

export const tokenAction: Action = async (request) => {
  const form = request.body as TokenRequestForm;
  let client: ClientRecord | null = null;
  try {
    client = await identifyClient(request, form);
    return withCors(request, client, await grant(request, form, client));
  } catch (error) {
    // A single-page app must be able to read why a grant failed, too.
    if (error instanceof OAuthProtocolError) {
      return withCors(request, client, fromOAuthProtocolError(error));
    }
    if (error instanceof InvalidScopeError) {
      const invalid = new OAuthProtocolError('invalid_scope', error.message);
      return withCors(request, client, fromOAuthProtocolError(invalid));
    }
    if (isGatehouseError(error) && error.code !== 'internal') {
      return withCors(request, client, oauthError(error));
    }
    throw error;
  }
};

const grant = async (
  request: ActionRequest,
  form: TokenRequestForm,
  client: ClientRecord | null,
): Promise<HttpResult> => {
  const { deps } = request;
  switch (form.grant_type) {
    case 'refresh_token': {
      if (!form.refresh_token) throw missing('refresh_token');
      if (client) requireClientFor(client, 'refresh_token');
      // The core refuses a client's token unless `client` is that client (credential binding);
      // `scope` narrows the session's grant for this token only, never widens it.
      const caller = { endpoint: 'oauth', client } as const;
      const scope = parseScope(form.scope);
      return tokenAnswer(
        deps,
        await asInvalidGrant(rotateRefreshToken(deps, form.refresh_token, caller, scope)),
      );
    }
    case 'password': {
      const trusted = requireClientFor(client, 'password');
      if (!trusted.firstParty) {
        throw new OAuthProtocolError(
          'unauthorized_client',
          'The password grant is for first-party clients.',
        );
      }
      if (!form.username) throw missing('username');
      if (form.password === undefined) throw missing('password');
      const tokens = await asInvalidGrant(
        signInWithPassword(
          deps,
          {
            login: form.username,
            password: form.password,
            clientId: trusted.clientId,
            scope: parseScope(form.scope),
          },
          request.meta,
        ),
      );
      return tokenAnswer(deps, tokens);
    }
    case 'authorization_code': {
      const caller = requireClientFor(client, 'authorization_code');
      if (!form.code) throw missing('code');
      if (!form.redirect_uri) throw missing('redirect_uri');
      if (!form.code_verifier && !caller.confidential) throw missing('code_verifier');
      const tokens = await asInvalidGrant(
        exchangeAuthorizationCode(deps, {
          code: form.code,
          clientId: caller.clientId,
          redirectUri: form.redirect_uri,
          ...(form.code_verifier ? { codeVerifier: form.code_verifier } : {}),
        }),
      );
      return tokenAnswer(deps, tokens);
    }
    case 'client_credentials': {
      const caller = requireClientFor(client, 'client_credentials');
      try {
        const token = await issueClientToken(deps, caller, form.scope, request.meta);
        return json(200, token, { pragma: 'no-cache' });
      } catch (error) {
        if (isGatehouseError(error) && error.code === 'forbidden') {
          throw new OAuthProtocolError('invalid_scope', error.message);
        }
        if (isGatehouseError(error) && error.code === 'account_disabled') {
          throw new OAuthProtocolError('unauthorized_client', error.message);
        }
        throw error;
      }
    }
    default:
      throw new OAuthProtocolError(
        'unsupported_grant_type',
        `Unknown grant_type ${form.grant_type}.`,
      );
  }
};
