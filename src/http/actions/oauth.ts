import { isDelegated } from '../../core/account/account-access';
import { findPublicClient } from '../../core/oauth/client-lookup';
import { authenticateClient, type ClientRecord } from '../../core/oauth/clients';
import type { CoreDeps } from '../../core/shared/deps';
import { GatehouseError } from '../../core/shared/errors';
import { introspectToken } from '../../core/tokens/introspection';
import { revokeAnyToken, revokeClientToken } from '../../core/tokens/token-revocation';
import { accessTokenCheck } from '../access-token-check';
import { type Action, type ActionRequest, requireActor } from '../handler';
import { OAuthProtocolError } from '../oauth-errors';
import { json } from '../responses';
import type { TokenForm } from '../schemas';

const checks = new WeakMap<CoreDeps, ReturnType<typeof accessTokenCheck>>();
const verifyWith = (deps: CoreDeps) => {
  let check = checks.get(deps);
  if (!check) {
    check = accessTokenCheck(deps);
    checks.set(deps, check);
  }
  return check;
};

export const clientFailed = () =>
  new GatehouseError('api_key_invalid', 'Client authentication failed.');

/** RFC 6749 §2.3.1: Basic with form-encoded id and secret, or both in the form. */
export const clientCredentials = (
  request: ActionRequest,
  form: { client_id?: string | undefined; client_secret?: string | undefined },
) => {
  const basic = /^Basic\s+(\S+)$/i.exec(request.authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw clientFailed();
    const decode = (part: string) => decodeURIComponent(part.replaceAll('+', ' '));
    let id: string;
    let secret: string;
    try {
      id = decode(decoded.slice(0, colon));
      secret = decode(decoded.slice(colon + 1));
    } catch {
      throw clientFailed();
    }
    // RFC 6749 §2.3: one method per request; a form naming another client (or a second
    // secret) beside Basic is refused rather than one of them silently ignored.
    if (form.client_secret || (form.client_id && form.client_id !== id)) {
      throw new OAuthProtocolError(
        'invalid_request',
        'Authenticate the client one way: HTTP Basic or client_id and client_secret in the form.',
      );
    }
    return { id, secret };
  }
  if (form.client_id && form.client_secret)
    return { id: form.client_id, secret: form.client_secret };
  return null;
};

type Caller =
  | { kind: 'user'; actor: Awaited<ReturnType<typeof requireActor>>; scopes: string[] }
  | { kind: 'client'; client: ClientRecord };

/**
 * A signed-in caller (bearer), else a confidential client; for revocation also a public client
 * naming itself (RFC 7009: an app signing out), which can only reach what was issued to it.
 */
const oauthCaller = async (
  request: ActionRequest,
  form: TokenForm,
  allowPublicClient = false,
): Promise<Caller> => {
  if (request.principal) {
    return { kind: 'user', actor: await requireActor(request), scopes: request.principal.scopes };
  }
  const credentials = clientCredentials(request, form);
  if (!credentials && allowPublicClient && form.client_id) {
    const client = await findPublicClient(request.deps, form.client_id);
    if (!client) throw clientFailed();
    return { kind: 'client', client };
  }
  if (!credentials) {
    throw new GatehouseError('token_invalid', 'Authenticate as a client or with a bearer token.');
  }
  const client = await authenticateClient(request.deps, credentials.id, credentials.secret);
  if (!client) throw clientFailed();
  return { kind: 'client', client };
};

export const introspectAction: Action = async (request) => {
  const form = request.body as TokenForm;
  const caller = await oauthCaller(request, form);
  if (caller.kind === 'user' && !caller.scopes.includes('tokens:introspect')) {
    // RFC 7662 §2.1: a bearer without the privilege is 401, in RFC 6750's terms.
    return json(
      401,
      {
        error: 'insufficient_scope',
        error_description: 'Introspection needs the tokens:introspect scope.',
      },
      { 'www-authenticate': 'Bearer error="insufficient_scope", scope="tokens:introspect"' },
    );
  }
  // A third-party client learns only about its own tokens; a first-party one (a resource
  // server) about any.
  const onlyClient =
    caller.kind === 'client' && !caller.client.firstParty ? caller.client.clientId : null;
  return json(
    200,
    await introspectToken(request.deps, form.token, verifyWith(request.deps), onlyClient),
  );
};

export const revokeAction: Action = async (request) => {
  const form = request.body as TokenForm;
  const caller = await oauthCaller(request, form, true);
  // The /oauth/* CORS rule: the client's registered redirect origins may read its answer.
  if (caller.kind === 'client') {
    request.shareWith(caller.client.redirectUris.map((uri) => new URL(uri).origin));
  }
  const verify = verifyWith(request.deps);
  const principal = request.principal;
  if (caller.kind === 'user' && principal && (await isDelegated(request.deps, principal))) {
    // A delegated caller's bearer reaches only what was issued to its own client
    // (account-access.ts), as that client authenticating itself would.
    await revokeClientToken(request.deps, principal.clientId, form.token, verify, request.meta);
  } else if (caller.kind === 'user') {
    await revokeAnyToken(request.deps, caller.actor, form.token, verify, request.meta);
  } else {
    await revokeClientToken(request.deps, caller.client.clientId, form.token, verify, request.meta);
  }
  return json(200, {});
};
