import { issueAuthorizationCode } from '../../core/oauth/authorization-codes';
import { clientRegisteredFor } from '../../core/oauth/client-lookup';
import { allowConsent } from '../../core/oauth/consent';
import { answerPendingConsent, readPendingConsent } from '../../core/oauth/consent-requests';
import { describeScope, InvalidScopeError } from '../../core/oauth/oauth-scopes';
import { credentialVersionOf } from '../../core/sessions/credential-version';
import { sessionAmr, sessionAuthTime } from '../../core/sessions/sessions';
import { GatehouseError } from '../../core/shared/errors';
import { html } from '../html';
import { csrfField, layout } from '../layout';
import { type PageAction, type PageRequest, page } from '../page-handler';
import { backToClient } from './authorize';
import { signedInActor } from './console';

/** Where the answer goes, for CSP form-action: an origin, or a native app's scheme. */
const destination = (redirectUri: string) => {
  const url = new URL(redirectUri);
  return url.origin === 'null' ? url.protocol : url.origin;
};

/** The pending request's client, still registered for its redirect URI, or an error page. */
const clientOf = async (request: PageRequest, clientId: string, redirectUri: string) => {
  const client = await clientRegisteredFor(request.deps, clientId, redirectUri);
  if (!client) {
    throw new GatehouseError('not_found', 'The application that asked is no longer registered.');
  }
  return client;
};

/**
 * `GET /consent?request=…`: a third-party client's request (from /oauth/authorize), its name
 * and the scopes in words, Allow or Deny. The request is the one /oauth/authorize remembered
 * for this browser session; nothing on the page can change it.
 */
export const consentPage: PageAction = async (request) => {
  const { session } = signedInActor(request);
  const pendingText = request.query.get('request') ?? '';
  const pending = await readPendingConsent(request.deps, session.sid, pendingText);
  const client = await clientOf(request, pending.clientId, pending.redirectUri);
  const body = html`<p><strong>${client.name}</strong> is asking to use your Gatehouse account. It will be able to:</p>
<ul aria-label="What the application asks for">
${pending.scope.map((scope) => html`<li>${describeScope(scope)} <code>${scope}</code></li>`)}
</ul>
<p>After you answer you go back to <code>${destination(pending.redirectUri)}</code>.</p>
<form method="post" action="/consent" class="inline">
  ${csrfField(request.csrf)}
  <input type="hidden" name="request" value="${pendingText}">
  <button type="submit" name="decision" value="allow">Allow</button>
  <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`;
  return page(200, layout({ title: `Allow ${client.name}?`, body }), {
    formActionOrigins: [destination(pending.redirectUri)],
  });
};

/**
 * `POST /consent` (CSRF-checked by the pages handler): Allow remembers the scope for this
 * user and client and sends a code back; Deny sends `access_denied`. Each request is answered
 * once.
 */
export const consentSubmit: PageAction = async (request) => {
  const { user, session } = signedInActor(request);
  const decision = request.form.get('decision');
  if (decision !== 'allow' && decision !== 'deny') {
    throw new GatehouseError('record_invalid', 'decision: must be allow or deny.');
  }
  const pending = await answerPendingConsent(
    request.deps,
    session.sid,
    request.form.get('request') ?? '',
  );
  const client = await clientOf(request, pending.clientId, pending.redirectUri);
  const state: Record<string, string> = pending.state ? { state: pending.state } : {};
  if (decision === 'deny') {
    return backToClient(
      pending.redirectUri,
      { error: 'access_denied', error_description: 'The user denied the request.', ...state },
      303,
    );
  }
  try {
    await allowConsent(request.deps, user, client, pending.scope, request.meta);
  } catch (error) {
    // The user lost a grant since the page was shown.
    if (error instanceof InvalidScopeError) {
      return backToClient(
        pending.redirectUri,
        { error: 'invalid_scope', error_description: error.message, ...state },
        303,
      );
    }
    throw error;
  }
  const code = await issueAuthorizationCode(request.deps, {
    clientId: client.clientId,
    credentialVersion: credentialVersionOf(user),
    redirectUri: pending.redirectUri,
    codeChallenge: pending.codeChallenge,
    userId: user.id,
    scope: pending.scope,
    origin: session.origin ?? 'unknown',
    authTime: sessionAuthTime(session),
    // The browser session's methods (a verified factor's `mfa` too) carry over to the client's.
    amr: sessionAmr(session),
    ...(pending.nonce ? { nonce: pending.nonce } : {}),
  });
  return backToClient(pending.redirectUri, { code, ...state }, 303);
};
