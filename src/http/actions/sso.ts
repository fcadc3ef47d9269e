import { checkReturnTo, originOf } from '../../core/identity/return-to';
import { ssoSignInOrConfirm } from '../../core/identity/sso-sign-in';
import { createSsoTokenVerifier, type SsoTokenVerifier } from '../../core/identity/sso-token';
import { findClient } from '../../core/oauth/client-lookup';
import type { CoreDeps } from '../../core/shared/deps';
import { GatehouseError } from '../../core/shared/errors';
import { clearCookie, SSO_FLOW_COOKIE, setCookie } from '../cookies';
import type { Action } from '../handler';
import type { SsoQuery } from '../schemas';
import {
  assertCodeHandOff,
  browserRedirect,
  type CodeHandOff,
  checkCodeHandOff,
  factorDue,
  federatedLanding,
} from '../sso-handoff';

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
    return browserRedirect(target.toString(), cookies);
  }

  let verify = verifiers.get(deps);
  if (!verify) {
    verify = createSsoTokenVerifier(sso, () => deps.clock.now());
    verifiers.set(deps, verify);
  }
  // The code goes only to the return_to the flow began with, and only to a first-party
  // client, checked again here (before any sign-in) since the first leg: this path shows no
  // consent page, so a third-party client must use /oauth/authorize.
  const flowRead = readFlow(request.cookies[SSO_FLOW_COOKIE]);
  const flow =
    flowRead && flowRead.r === returnTo
      ? { codeChallenge: flowRead.c, clientId: flowRead.i }
      : null;
  const client = flow ? await findClient(deps, flow.clientId) : null;
  if (client) assertCodeHandOff(client);
  const outcome = await ssoSignInOrConfirm(deps, verify, query.jwt, request.meta, {
    returnTo,
    codeChallenge: flow?.codeChallenge ?? null,
    clientId: flow?.clientId ?? null,
  }).catch(factorDue);
  const cookies = flowRead ? [clearCookie(SSO_FLOW_COOKIE, flowCookie)] : [];
  return federatedLanding(deps, outcome, returnTo, flow, cookies);
};

/** PKCE for a single-page app, bound to the browser until the provider's callback. */
const startCodeFlow = async (
  deps: CoreDeps,
  query: SsoQuery,
  returnTo: string,
  maxAgeSeconds: number,
  secure: boolean,
): Promise<string> => {
  const handOff = (await checkCodeHandOff(deps, query, returnTo)) as CodeHandOff;
  const flow: SsoFlow = { c: handOff.codeChallenge, i: handOff.clientId, r: returnTo };
  return setCookie(SSO_FLOW_COOKIE, Buffer.from(JSON.stringify(flow)).toString('base64url'), {
    path: '/auth/sso',
    maxAgeSeconds: maxAgeSeconds + 60,
    secure,
  });
};
