import { recordAudit } from '../../core/audit/audit';
import { federatedLoginFromClaims } from '../../core/identity/federated-claims';
import {
  FEDERATION_FLOW_TTL_SECONDS,
  spendFederationFlow,
  startFederationFlow,
} from '../../core/identity/federation-flow';
import type { IdentityProvider } from '../../core/identity/provider-config';
import { checkReturnTo, originOf } from '../../core/identity/return-to';
import { signInFederated } from '../../core/identity/sso-sign-in';
import { findClient } from '../../core/oauth/client-lookup';
import type { CoreDeps } from '../../core/shared/deps';
import { GatehouseError, isGatehouseError } from '../../core/shared/errors';
import { clearCookie, FEDERATION_FLOW_COOKIE, FEDERATION_FLOW_PATH, setCookie } from '../cookies';
import { beginAuthorization, finishAuthorization } from '../federation/oidc-login';
import type { Action } from '../handler';
import { json } from '../responses';
import type { FederatedCallbackQuery, FederatedStartQuery } from '../schemas';
import {
  assertCodeHandOff,
  browserRedirect,
  checkCodeHandOff,
  factorDue,
  federatedLanding,
  trustedProviderAmr,
} from '../sso-handoff';

/**
 * OIDC federation (API.md, Federation): this service as a relying party of the providers in
 * IDENTITY_PROVIDERS. The first leg checks `return_to` (and SSO's PKCE hand-off) exactly as
 * `/auth/sso` does and keeps the flow server-side; the browser holds only its handle. The
 * callback spends the flow, has openid-client trade the code and validate the ID token, and
 * signs in through the one federated sign-in JWT SSO uses.
 */

const providerOf = (deps: CoreDeps, id: string | undefined): IdentityProvider => {
  const provider = deps.config.identityProviders.find((p) => p.id === id);
  if (!provider) throw new GatehouseError('not_found', 'No such identity provider.');
  return provider;
};

/** Where the provider sends the browser back: registered with the provider as is. */
const callbackUrl = (deps: CoreDeps, provider: IdentityProvider): string =>
  `${deps.config.issuerUrl.replace(/\/+$/, '')}/auth/federated/${provider.id}/callback`;

const flowCookieOptions = (deps: CoreDeps) => ({
  path: FEDERATION_FLOW_PATH,
  secure: deps.config.issuerUrl.startsWith('https:'),
});

/** `GET /auth/providers`: what the sign-in page offers (no secrets, no issuers). */
export const providersAction: Action = async ({ deps }) =>
  json(200, { providers: deps.config.identityProviders.map(({ id, name }) => ({ id, name })) });

/** `GET /auth/federated/{id}`: off to the provider with `state`, `nonce` and PKCE S256. */
export const federatedStartAction: Action = async (request) => {
  const { deps } = request;
  const provider = providerOf(deps, request.pathParameters.id);
  const query = request.query as FederatedStartQuery;
  const returnTo = checkReturnTo(query.return_to ?? '/', {
    ownOrigin: originOf(deps.config.issuerUrl),
    allowedOrigins: deps.config.allowedRedirectOrigins,
  });
  const handOff = await checkCodeHandOff(deps, query, returnTo);
  const { url, secrets } = await beginAuthorization(provider, callbackUrl(deps, provider));
  const { handle } = await startFederationFlow(deps, {
    providerId: provider.id,
    ...secrets,
    returnTo,
    codeChallenge: handOff?.codeChallenge ?? null,
    clientId: handOff?.clientId ?? null,
  });
  const cookie = setCookie(FEDERATION_FLOW_COOKIE, handle, {
    ...flowCookieOptions(deps),
    maxAgeSeconds: FEDERATION_FLOW_TTL_SECONDS,
  });
  return browserRedirect(url.toString(), [cookie]);
};

const refusedByProvider = (error: string) =>
  error === 'access_denied'
    ? new GatehouseError('forbidden', 'The identity provider did not let you sign in.')
    : new GatehouseError('token_invalid', 'The identity provider could not sign you in.');

/**
 * `GET /auth/federated/{id}/callback`: every refusal comes before anything is written, and
 * each flow is spent by its first callback, whatever the outcome.
 */
export const federatedCallbackAction: Action = async (request) => {
  const { deps } = request;
  const provider = providerOf(deps, request.pathParameters.id);
  const query = request.query as FederatedCallbackQuery;
  const failed = (reason: string) =>
    recordAudit(deps, request.meta, {
      action: 'auth.sign_in',
      actorId: null,
      targetId: null,
      outcome: 'failure',
      detail: { method: 'oidc', provider: provider.id, reason },
    });
  try {
    const flow = await spendFederationFlow(
      deps,
      request.cookies[FEDERATION_FLOW_COOKIE],
      provider.id,
    );
    // The answer belongs to this browser's flow: a state from another flow or browser is refused.
    if (query.state !== flow.state) {
      throw new GatehouseError(
        'token_invalid',
        'The sign-in response does not match this browser’s sign-in.',
      );
    }
    if (query.error !== undefined) throw refusedByProvider(query.error);
    if (!query.code) throw new GatehouseError('token_invalid', 'The provider sent no code.');
    // The code hand-off goes to a first-party client only, checked again before any sign-in.
    const client = flow.clientId ? await findClient(deps, flow.clientId) : null;
    if (client) assertCodeHandOff(client);
    const claims = await finishAuthorization(provider, responseUrl(deps, provider, query), flow);
    const { login, profile } = federatedLoginFromClaims(provider, claims);
    const handoff = {
      returnTo: flow.returnTo,
      codeChallenge: flow.codeChallenge,
      clientId: flow.clientId,
    };
    const outcome = await signInFederated(
      deps,
      login,
      profile,
      request.meta,
      handoff,
      'oidc',
      trustedProviderAmr(provider, claims),
    ).catch(factorDue);
    const codeFlow =
      flow.codeChallenge && flow.clientId
        ? { codeChallenge: flow.codeChallenge, clientId: flow.clientId }
        : null;
    const cookies = [clearCookie(FEDERATION_FLOW_COOKIE, flowCookieOptions(deps))];
    return await federatedLanding(deps, outcome, flow.returnTo, codeFlow, cookies);
  } catch (error) {
    // signInFederated audits its own refusals; these are the protocol's.
    if (
      isGatehouseError(error) &&
      ['token_invalid', 'forbidden', 'unavailable'].includes(error.code)
    ) {
      await failed(error.code);
    }
    throw error;
  }
};

/** The authorization response as the provider sent it, for openid-client to check. */
const responseUrl = (deps: CoreDeps, provider: IdentityProvider, query: FederatedCallbackQuery) => {
  const url = new URL(callbackUrl(deps, provider));
  for (const name of ['code', 'state', 'iss'] as const) {
    const value = query[name];
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url;
};
