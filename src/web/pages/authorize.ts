import { issueAuthorizationCode } from '../../core/oauth/authorization-codes';
import {
  asksForFreshness,
  needsFreshSignIn,
  readSignInRequirements,
  SIGNED_IN_AFTER,
} from '../../core/oauth/authorization-prompt';
import { clientRegisteredFor } from '../../core/oauth/client-lookup';
import { decideAuthorization } from '../../core/oauth/consent';
import { rememberPendingConsent } from '../../core/oauth/consent-requests';
import { freshSignInMarker, spendFreshSignIn } from '../../core/oauth/fresh-sign-in-marker';
import { verifyIdTokenHint } from '../../core/oauth/id-token-hint';
import { InvalidScopeError, parseScope } from '../../core/oauth/oauth-scopes';
import { credentialVersionOf } from '../../core/sessions/credential-version';
import { sessionAmr, sessionAuthTime } from '../../core/sessions/sessions';
import { GatehouseError, isGatehouseError } from '../../core/shared/errors';
import type { HttpResult } from '../../http/responses';
import { html } from '../html';
import { layout } from '../layout';
import { type PageAction, page, Redirect, seeOther } from '../page-handler';
import { signInRedirect } from './auth';

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** RFC 6749 §4.1.2.1: once the redirect URI is trusted, errors go back to it, with `state`. */
export const backToClient = (
  redirectUri: string,
  params: Record<string, string>,
  statusCode = 302,
): HttpResult => {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return {
    statusCode,
    headers: {
      location: target.toString(),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
  };
};

/**
 * `GET /oauth/authorize` (RFC 6749 code flow, PKCE S256 only): the client and its exact
 * redirect URI are checked first (a bad one is an error page, never a redirect); then the
 * browser signs in (hosted page, or SSO when passwords are off) and comes back here, and the
 * client gets a one-time code and its `state`.
 */
export const authorizePage: PageAction = async (request) => {
  const { deps, query } = request;
  const param = (name: string) => {
    const values = query.getAll(name);
    if (values.length > 1)
      throw new GatehouseError('record_invalid', `${name}: given more than once.`);
    return values[0] ?? '';
  };
  const clientId = param('client_id');
  const redirectUri = param('redirect_uri');
  const client = await clientRegisteredFor(deps, clientId, redirectUri);
  if (!client) {
    return page(
      400,
      layout({
        title: 'This sign-in link is not valid',
        body: html`<p class="error" role="alert">The application that sent you here is not registered for this address (client_id and redirect_uri must match a registered client exactly).</p>`,
      }),
    );
  }
  const state = param('state');
  const fail = (error: string, description: string) =>
    backToClient(redirectUri, {
      error,
      error_description: description,
      ...(state ? { state } : {}),
    });
  // Once the redirect URI is trusted, a dependency out goes back to the client as OAuth says
  // (RFC 6749 §4.1.2.1, temporarily_unavailable), so it can try again; before, a 503 page.
  const answer = async (): Promise<HttpResult> => {
    if (param('response_type') !== 'code') {
      return fail('unsupported_response_type', 'Only response_type=code is supported.');
    }
    // Discovery says these are not supported: refused, never silently dropped (what a request
    // object asks, prompt=login say, would otherwise be ignored).
    if (param('request'))
      return fail('request_not_supported', 'Request objects are not supported.');
    if (param('request_uri')) {
      return fail('request_uri_not_supported', 'request_uri is not supported.');
    }
    if (query.has('response_mode') && param('response_mode') !== 'query') {
      return fail('invalid_request', 'response_mode: only query is supported.');
    }
    if (!client.grantTypes.includes('authorization_code')) {
      return fail('unauthorized_client', 'This client may not use the code flow.');
    }
    const challenge = param('code_challenge');
    const method = param('code_challenge_method');
    // PKCE S256: required for public clients, optional for confidential ones; never `plain`.
    const withoutPkce = client.confidential && challenge === '' && method === '';
    if (!withoutPkce && (method !== 'S256' || !CHALLENGE.test(challenge))) {
      return fail(
        'invalid_request',
        client.confidential
          ? 'PKCE takes code_challenge with code_challenge_method=S256 only.'
          : 'PKCE is required: code_challenge with code_challenge_method=S256.',
      );
    }
    const read = readSignInRequirements(param);
    if ('invalid' in read) return fail('invalid_request', read.invalid);
    const marker = param(SIGNED_IN_AFTER);
    // Only a password sign-in answers the mark: a federated or SSO one may have been silent
    // upstream (nothing asks the provider to authenticate again), so it proves no freshness.
    const passwordSession = request.signedIn
      ? sessionAmr(request.signedIn.session).includes('pwd')
      : false;
    const wants = {
      ...read,
      signedInAfter:
        marker && passwordSession && request.signedIn
          ? await spendFreshSignIn(deps, request.signedIn.session.sid, marker, client.clientId)
          : null,
    };
    const freshMark = asksForFreshness(wants)
      ? await freshSignInMarker(deps, client.clientId)
      : null;
    // Sent to sign in for this request: the marker tells its return that the sign-in is fresh.
    const signIn = (freshOverSession: boolean) => {
      const marked = new URLSearchParams(query);
      if (freshMark) marked.set(SIGNED_IN_AFTER, freshMark);
      return new Redirect(
        signInRedirect(deps, `/oauth/authorize?${marked.toString()}`, {
          fresh: freshOverSession,
          loginHint: wants.loginHint,
        }),
      );
    };
    // Invariant: prompt=none shows no page; its errors reach only the redirect URI checked above.
    if (!request.signedIn) {
      if (wants.noPage) return fail('login_required', 'The user is not signed in.');
      throw signIn(false);
    }
    // OIDC Core §3.1.2.1: a silent request for the user an id_token_hint names is answered for
    // that user only; whoever else is signed in here gets login_required, never a code.
    if (wants.noPage && query.has('id_token_hint')) {
      const named = await verifyIdTokenHint(deps, param('id_token_hint'));
      if (named?.sub !== request.signedIn.user.id) {
        return fail('login_required', 'The signed-in user is not the one id_token_hint names.');
      }
    }
    if (needsFreshSignIn(wants, sessionAuthTime(request.signedIn.session), deps.clock.now())) {
      if (wants.noPage) return fail('login_required', 'A fresh sign-in is needed.');
      // Only a password proves a fresh sign-in here (above): without one, say so to the client.
      if (!deps.config.passwordLoginEnabled) {
        return fail('login_required', 'A fresh sign-in cannot be proven without passwords here.');
      }
      throw signIn(true);
    }
    const { user, session } = request.signedIn;
    let decision: Awaited<ReturnType<typeof decideAuthorization>>;
    try {
      decision = await decideAuthorization(
        deps,
        user,
        client,
        parseScope(query.has('scope') ? param('scope') : null),
        wants.consent,
      );
    } catch (error) {
      if (error instanceof InvalidScopeError) return fail('invalid_scope', error.message);
      throw error;
    }
    if (decision.kind === 'consent') {
      if (wants.noPage) {
        return fail('consent_required', 'The user has not allowed this application yet.');
      }
      // Kept server-side, bound to this browser session: the page's form cannot widen it.
      const pending = await rememberPendingConsent(deps, session.sid, {
        clientId: client.clientId,
        redirectUri,
        state,
        codeChallenge: challenge,
        scope: decision.scope,
        nonce: wants.nonce,
      });
      return seeOther(`/consent?request=${pending}`);
    }
    const code = await issueAuthorizationCode(deps, {
      clientId: client.clientId,
      credentialVersion: credentialVersionOf(user),
      redirectUri,
      codeChallenge: challenge,
      userId: user.id,
      scope: decision.scope,
      origin: session.origin ?? 'unknown',
      authTime: sessionAuthTime(session),
      // The browser session's methods (a verified factor's `mfa` too) carry over to the client's.
      amr: sessionAmr(session),
      ...(wants.nonce ? { nonce: wants.nonce } : {}),
    });
    return backToClient(redirectUri, { code, ...(state ? { state } : {}) });
  };
  try {
    return await answer();
  } catch (error) {
    if (!isGatehouseError(error) || error.code !== 'unavailable') throw error;
    return fail('temporarily_unavailable', error.message);
  }
};
