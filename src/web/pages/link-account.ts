import {
  cancelPendingLink,
  completePendingLink,
  type PendingLink,
  viewPendingLink,
} from '../../core/identity/pending-link';
import { originOf } from '../../core/identity/return-to';
import { clearCookie, PENDING_LINK_COOKIE, PENDING_LINK_PATH, setCookie } from '../../http/cookies';
import type { HttpResult } from '../../http/responses';
import { ssoLandingFor } from '../../http/sso-handoff';
import { html } from '../html';
import { alert, csrfField, field, layout } from '../layout';
import { challengeLocation, mfaCookie } from '../mfa/pending-factor';
import { withNotice } from '../notices';
import { type PageAction, type PageRequest, page, seeOther, sessionCookie } from '../page-handler';

/**
 * `/link-account` (API.md, Account linking): an SSO login named an admin or owner account by
 * email; the person proves the account with its password before the identity is linked
 * (core/identity/pending-link.ts). The pending link lives server-side; the browser holds only its
 * one-time secret, in an HttpOnly cookie scoped to this path, renewed at every use.
 */

const pendingCookie = (request: PageRequest, pending: PendingLink) =>
  setCookie(PENDING_LINK_COOKIE, pending.token, {
    path: PENDING_LINK_PATH,
    maxAgeSeconds: Math.max(1, Math.ceil((pending.expiresAt - request.deps.clock.now()) / 1000)),
    secure: request.secure,
  });

const dropCookie = (request: PageRequest) =>
  request.setCookies.push(
    clearCookie(PENDING_LINK_COOKIE, { path: PENDING_LINK_PATH, secure: request.secure }),
  );

const secretOf = (request: PageRequest) => request.cookies?.[PENDING_LINK_COOKIE] ?? '';

/** A spent, expired or missing link: the cookie goes too. */
const orForget = async <T>(request: PageRequest, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    dropCookie(request);
    throw error;
  }
};

/** After linking, the browser may go on to an allowed origin (CSP form-action covers it). */
const formOrigins = (returnTo: string) => (returnTo.startsWith('/') ? [] : [originOf(returnTo)]);

const linkForm = (request: PageRequest, pending: PendingLink, error?: string) =>
  layout({
    title: 'Link your account',
    body: html`${alert(error)}
<p>You signed in through single sign-on as <strong>${pending.email}</strong>. An account with this
address already exists here. To link your single sign-on to it, enter that account’s password.</p>
<form method="post" action="${PENDING_LINK_PATH}">
  ${csrfField(request.csrf)}
  ${field('Password of the existing account', 'password', { type: 'password', autocomplete: 'current-password', required: true })}
  <button type="submit">Link and sign in</button>
</form>
<form method="post" action="${PENDING_LINK_PATH}">
  ${csrfField(request.csrf)}
  <input type="hidden" name="cancel" value="1">
  <button type="submit" class="secondary">Cancel</button>
</form>`,
  });

const shown = (request: PageRequest, pending: PendingLink, status: number, error?: string) => {
  request.setCookies.push(pendingCookie(request, pending));
  return page(status, linkForm(request, pending, error), {
    formActionOrigins: formOrigins(pending.handoff.returnTo),
  });
};

export const linkAccountPage: PageAction = async (request) => {
  const pending = await orForget(request, () => viewPendingLink(request.deps, secretOf(request)));
  return shown(request, pending, 200);
};

const REFUSALS: Record<string, number> = { invalid_credentials: 401, too_many_attempts: 429 };

export const linkAccountSubmit: PageAction = async (request) => {
  const { deps } = request;
  if (request.form.get('cancel')) {
    await cancelPendingLink(deps, secretOf(request));
    dropCookie(request);
    return seeOther(withNotice('/sign-in', 'link_cancelled'));
  }
  const outcome = await orForget(request, () =>
    completePendingLink(deps, secretOf(request), request.form.get('password') ?? '', request.meta),
  );
  if (outcome.kind === 'refused') {
    const { error, retry } = outcome;
    if (!retry || !(error.code in REFUSALS)) {
      dropCookie(request);
      throw error;
    }
    const result = shown(request, retry, REFUSALS[error.code] as number, error.message);
    return error.retryAfterSeconds === undefined
      ? result
      : {
          ...result,
          headers: { ...result.headers, 'retry-after': String(error.retryAfterSeconds) },
        };
  }
  dropCookie(request);
  // return_to as the SSO leg checked and stored it; never read from this request.
  const { returnTo, codeChallenge, clientId } = outcome.handoff;
  const flow = codeChallenge && clientId ? { codeChallenge, clientId } : null;
  // The password proved the account, not a second factor: nothing is linked until it is.
  if (outcome.kind === 'factor_due') {
    request.setCookies.push(mfaCookie(outcome.mfaToken, request.secure));
    return seeOther(challengeLocation(returnTo, flow));
  }
  const { user, tokens, amr } = outcome;
  request.setCookies.push(sessionCookie(tokens.browserSession as string, deps, request.secure));
  // The app's session carries the login's methods, as the browser session does.
  const location = await ssoLandingFor(deps, user, returnTo, flow, amr);
  const result: HttpResult = {
    statusCode: 302,
    headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  };
  return result;
};
