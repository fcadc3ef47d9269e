import type { PendingLink } from '../core/identity/pending-link';
import type { SsoSignIn } from '../core/identity/sso-sign-in';
import { MfaRequiredError } from '../core/mfa/second-factor-gate';
import { issueAuthorizationCode } from '../core/oauth/authorization-codes';
import { clientRedirectingTo, findClient } from '../core/oauth/client-lookup';
import type { ClientRecord } from '../core/oauth/clients';
import { grantScopes } from '../core/oauth/oauth-scopes';
import { credentialVersionOf } from '../core/sessions/credential-version';
import type { CoreDeps } from '../core/shared/deps';
import { GatehouseError } from '../core/shared/errors';
import type { UserRecord } from '../core/users/users';
import { challengeLocation, mfaCookie } from '../web/mfa/pending-factor';
import { PENDING_LINK_COOKIE, PENDING_LINK_PATH, SESSION_COOKIE, setCookie } from './cookies';
import type { HttpResult } from './responses';

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
  /** The login's methods (a verified factor's `otp`, `mfa` too), for the client's session. */
  amr: readonly string[] = [],
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
    ...(amr.length > 0 ? { amr: [...amr] } : {}),
  });
  return withCode(returnTo, code);
};

/** A flow's PKCE hand-off to a first-party app: the challenge, and the client it is for. */
export interface CodeHandOff {
  codeChallenge: string;
  clientId: string;
}

/**
 * Invariant: the SSO (and federation) code hand-off is for first-party clients only (it shows
 * no consent page and records no consent); a third-party client is 400 `record_invalid`, at
 * both legs.
 */
export const assertCodeHandOff = (client: ClientRecord): void => {
  if (!client.firstParty) {
    throw new GatehouseError(
      'record_invalid',
      'client_id: a third-party client takes codes through /oauth/authorize (with consent), not SSO.',
    );
  }
};

/**
 * A first leg's hand-off (`code_challenge`, `code_challenge_method=S256`, `client_id?`),
 * checked: an S256 challenge, for a first-party client taking codes at exactly `returnTo`.
 * Null when the leg asks for none.
 */
export const checkCodeHandOff = async (
  deps: CoreDeps,
  query: { code_challenge?: string; code_challenge_method?: string; client_id?: string },
  returnTo: string,
): Promise<CodeHandOff | null> => {
  if (query.code_challenge === undefined && query.client_id === undefined) return null;
  const invalid = (message: string) => new GatehouseError('record_invalid', message);
  if (!query.code_challenge || query.code_challenge_method !== 'S256') {
    throw invalid('code_challenge: an S256 challenge and code_challenge_method=S256 are needed.');
  }
  const client = query.client_id
    ? await findClient(deps, query.client_id)
    : await clientRedirectingTo(deps, returnTo);
  if (!client?.grantTypes.includes('authorization_code')) {
    throw invalid('client_id: no client here takes authorization codes by that id.');
  }
  if (!client.redirectUris.includes(returnTo)) {
    throw invalid("return_to: must be one of the client's redirect URIs exactly.");
  }
  assertCodeHandOff(client);
  return { codeChallenge: query.code_challenge, clientId: client.clientId };
};

/** A browser redirect that no cache keeps and no Referer leaks. */
export const browserRedirect = (location: string, cookies: string[]): HttpResult => ({
  statusCode: 302,
  headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  cookies,
});

/**
 * The provider's RFC 8176 `amr` values, only when it is trusted for them (`trust_mfa`). API.md,
 * MFA: its own MFA stands in for our factor only when these include `mfa`.
 */
export const trustedProviderAmr = (
  provider: { trustMfa: boolean },
  claims: Record<string, unknown>,
): string[] =>
  provider.trustMfa && Array.isArray(claims.amr)
    ? claims.amr.filter((v): v is string => typeof v === 'string' && /^[a-z]{2,16}$/.test(v))
    : [];

/** A federated login that stopped for a second factor: its MfaRequiredError, else rethrown. */
export const factorDue = (error: unknown): MfaRequiredError => {
  if (error instanceof MfaRequiredError) return error;
  throw error;
};

/**
 * The end of a federated sign-in (JWT SSO or an OIDC provider): a session cookie and back to
 * `returnTo` (with a code for a hand-off), or, for an admin or owner account matched by email,
 * the link page that asks for its password first (pending-link.ts), or, with a factor due, the
 * challenge page (no session, no code until it is verified). `cookies`: the flow's.
 */
export const federatedLanding = async (
  deps: CoreDeps,
  outcome: SsoSignIn | { pending: PendingLink } | MfaRequiredError,
  returnTo: string,
  flow: { codeChallenge: string; clientId: string } | null,
  cookies: string[],
): Promise<HttpResult> => {
  const secure = deps.config.issuerUrl.startsWith('https:');
  // A factor is due: no session was opened; the challenge page finishes the sign-in.
  if (outcome instanceof MfaRequiredError) {
    const pending = mfaCookie(outcome.mfaToken, secure);
    return browserRedirect(challengeLocation(returnTo, flow), [pending, ...cookies]);
  }
  if ('pending' in outcome) {
    const maxAgeSeconds = Math.ceil((outcome.pending.expiresAt - deps.clock.now()) / 1000);
    const link = setCookie(PENDING_LINK_COOKIE, outcome.pending.token, {
      path: PENDING_LINK_PATH,
      maxAgeSeconds,
      secure,
    });
    return browserRedirect(PENDING_LINK_PATH, [...cookies, link]);
  }
  const browserSession = outcome.tokens.browserSession as string;
  const session = setCookie(SESSION_COOKIE, browserSession, {
    path: '/',
    maxAgeSeconds: deps.config.sessionTtlSeconds,
    secure,
  });
  // The app's session carries the login's methods, as the browser session does.
  const location = await ssoLandingFor(deps, outcome.user, returnTo, flow, outcome.amr);
  return browserRedirect(location, [session, ...cookies]);
};
