import { issueAuthorizationCode } from '../../core/authorization-codes';
import type { ClientRecord } from '../../core/clients';
import type { CoreDeps } from '../../core/deps';
import { GatehouseError } from '../../core/errors';
import { grantScopes } from '../../core/oauth-scopes';
import { checkReturnTo, originOf } from '../../core/return-to';
import { signInWithSso } from '../../core/sso-sign-in';
import { createSsoTokenVerifier, type SsoTokenVerifier } from '../../core/sso-token';
import type { Position } from '../../core/store';
import { clearCookie, SESSION_COOKIE, SSO_FLOW_COOKIE, setCookie } from '../cookies';
import type { Action } from '../handler';
import type { HttpResult } from '../responses';
import type { SsoQuery } from '../schemas';

/** What the first leg remembers for the callback, in an HttpOnly cookie. */
interface SsoFlow {
  /** PKCE S256 challenge. */
  c: string;
  /** Client id. */
  i: string;
  /** The return_to the code is for. */
  r: string;
}

const verifiers = new WeakMap<CoreDeps, SsoTokenVerifier>();

const redirect = (location: string, cookies: string[]): HttpResult => ({
  statusCode: 302,
  headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  cookies,
});

const readFlow = (value: string | undefined): SsoFlow | null => {
  if (!value) return null;
  try {
    const flow = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as SsoFlow;
    return typeof flow.c === 'string' && typeof flow.i === 'string' && typeof flow.r === 'string'
      ? flow
      : null;
  } catch {
    return null;
  }
};

const withCode = (returnTo: string, code: string): string => {
  const url = new URL(returnTo, 'http://relative.invalid');
  url.searchParams.set('code', code);
  return returnTo.startsWith('/') ? `${url.pathname}${url.search}` : url.toString();
};

/**
 * `GET /auth/sso` (API.md, JWT SSO): `return_to` is checked before anything else, on both
 * legs. Without `jwt`, off to the provider (binding a PKCE challenge to the browser when one is
 * given); with it, the provider's callback: a session cookie and back to `return_to`, with a
 * one-time code when the flow began with a challenge.
 */
export const ssoAction: Action = async (request) => {
  const { deps } = request;
  const sso = deps.config.sso;
  if (!sso) throw new GatehouseError('not_found', 'SSO is not set up here.');
  const query = request.query as SsoQuery;
  const ownOrigin = originOf(deps.config.issuerUrl);
  const returnTo = checkReturnTo(query.return_to ?? '/', {
    ownOrigin,
    allowedOrigins: deps.config.allowedRedirectOrigins,
  });
  const secure = deps.config.issuerUrl.startsWith('https:');
  const flowCookie = { path: '/auth/sso', secure };

  if (query.jwt === undefined) {
    if (!sso.idpUrl) throw new GatehouseError('not_found', 'SSO_IDP_URL is not set.');
    const cookies = [clearCookie(SSO_FLOW_COOKIE, flowCookie)];
    if (query.code_challenge !== undefined || query.client_id !== undefined) {
      cookies[0] = await startCodeFlow(deps, query, returnTo, sso.maxAgeSeconds, secure);
    }
    const target = new URL(sso.idpUrl);
    target.searchParams.set('return_to', returnTo);
    return redirect(target.toString(), cookies);
  }

  let verify = verifiers.get(deps);
  if (!verify) {
    verify = createSsoTokenVerifier(sso, () => deps.clock.now());
    verifiers.set(deps, verify);
  }
  const { tokens, user } = await signInWithSso(deps, verify, query.jwt, request.meta);
  const cookies = [
    setCookie(SESSION_COOKIE, tokens.browserSession as string, {
      path: '/',
      maxAgeSeconds: deps.config.sessionTtlSeconds,
      secure,
    }),
  ];
  let location = returnTo;
  const flow = readFlow(request.cookies[SSO_FLOW_COOKIE]);
  if (flow) {
    cookies.push(clearCookie(SSO_FLOW_COOKIE, flowCookie));
    // The code goes only to the return_to the flow began with.
    // This path shows no consent page: a third-party client gets only the default `profile`.
    const client = flow.r === returnTo ? await deps.store.getClient(flow.i) : null;
    if (client) {
      const code = await issueAuthorizationCode(deps, {
        clientId: client.clientId,
        redirectUri: returnTo,
        codeChallenge: flow.c,
        userId: user.id,
        scope: grantScopes(deps.scopes, user.role, null, client.firstParty),
        origin: 'sso',
      });
      location = withCode(returnTo, code);
    }
  }
  return redirect(location, cookies);
};

/**
 * The contract's flow names no client: the one client registered with exactly this redirect
 * URI is the one (two such clients must be told apart with `client_id`).
 */
const clientRedirectingTo = async (deps: CoreDeps, returnTo: string) => {
  const matching: ClientRecord[] = [];
  let after: Position | undefined;
  do {
    const page = await deps.store.listClients({ limit: 200, ...(after ? { after } : {}) });
    matching.push(...page.items.filter((c) => c.redirectUris.includes(returnTo)));
    after = page.next ?? undefined;
  } while (after);
  if (matching.length > 1) {
    throw new GatehouseError(
      'record_invalid',
      'client_id: several clients use this redirect URI; say which one.',
    );
  }
  if (matching.length === 0) {
    throw new GatehouseError(
      'record_invalid',
      'return_to: no client is registered with this redirect URI for codes.',
    );
  }
  return matching[0] ?? null;
};

/** PKCE for a single-page app: its client must take codes at exactly this return_to. */
const startCodeFlow = async (
  deps: CoreDeps,
  query: SsoQuery,
  returnTo: string,
  maxAgeSeconds: number,
  secure: boolean,
): Promise<string> => {
  const invalid = (message: string) => new GatehouseError('record_invalid', message);
  if (!query.code_challenge || query.code_challenge_method !== 'S256') {
    throw invalid('code_challenge: an S256 challenge and code_challenge_method=S256 are needed.');
  }
  const client = query.client_id
    ? await deps.store.getClient(query.client_id)
    : await clientRedirectingTo(deps, returnTo);
  if (!client?.grantTypes.includes('authorization_code')) {
    throw invalid('client_id: no client here takes authorization codes by that id.');
  }
  if (!client.redirectUris.includes(returnTo)) {
    throw invalid("return_to: must be one of the client's redirect URIs exactly.");
  }
  const flow: SsoFlow = { c: query.code_challenge, i: client.clientId, r: returnTo };
  return setCookie(SSO_FLOW_COOKIE, Buffer.from(JSON.stringify(flow)).toString('base64url'), {
    path: '/auth/sso',
    maxAgeSeconds: maxAgeSeconds + 60,
    secure,
  });
};
