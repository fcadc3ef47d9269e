import { originOf } from '../../core/identity/return-to';
import { type LogoutPlan, planLogout } from '../../core/oauth/rp-logout';
import { endSession, sessionAuthTime } from '../../core/sessions/sessions';
import { clearCookie, SESSION_COOKIE } from '../../http/cookies';
import type { HttpResult } from '../../http/responses';
import { html } from '../html';
import { csrfField, layout } from '../layout';
import { type PageAction, type PageRequest, page, seeOther } from '../page-handler';
import { backToClient } from './authorize';

type Planned = Extract<LogoutPlan, { kind: 'logout' }>;

/** Each parameter once, from the query (GET) or the form (POST), as RP-Initiated Logout allows. */
const paramsOf = (request: PageRequest) => {
  const source = request.method === 'POST' ? request.form : request.query;
  const param = (name: string) =>
    source.getAll(name).length === 1 ? (source.get(name) ?? '') : '';
  return {
    idTokenHint: param('id_token_hint'),
    clientId: param('client_id'),
    postLogoutRedirectUri: param('post_logout_redirect_uri'),
    state: param('state'),
  };
};

const signedOutPage = () =>
  page(
    200,
    layout({
      title: 'You are signed out',
      body: html`<p role="status">You are signed out of Gatehouse. You can close this window.</p>
<p><a href="/sign-in">Sign in again</a></p>`,
    }),
  );

/** Ends the browser's session (if any) and sends it where the plan allows, or to a page. */
const signOut = async (
  request: PageRequest,
  redirectTo: string | null,
  state: string,
  status: 302 | 303,
): Promise<HttpResult> => {
  if (request.signedIn) {
    const { user, session } = request.signedIn;
    await endSession(request.deps, user.id, session.sid, request.meta);
  }
  request.setCookies.push(clearCookie(SESSION_COOKIE, { path: '/', secure: request.secure }));
  if (!redirectTo) return signedOutPage();
  return backToClient(redirectTo, state ? { state } : {}, status);
};

const confirmationPage = (request: PageRequest, plan: Planned, state: string) => {
  const hidden = (name: string, value: string | null) =>
    value ? html`<input type="hidden" name="${name}" value="${value}">` : '';
  const asker = plan.clientName
    ? html`<p><strong>${plan.clientName}</strong> asks to sign you out of Gatehouse.</p>`
    : html`<p>An application asks to sign you out of Gatehouse.</p>`;
  const body = html`${asker}
<form method="post" action="/oauth/logout/confirm" class="inline">
  ${csrfField(request.csrf)}
  ${hidden('client_id', plan.clientId)}
  ${hidden('post_logout_redirect_uri', plan.redirectTo)}
  ${hidden('state', state)}
  <button type="submit">Sign out</button>
</form>
<p><a href="/console">Stay signed in</a></p>`;
  // CSP form-action also governs the redirect after the POST.
  return page(200, layout({ title: 'Sign out?', body }), {
    formActionOrigins: plan.redirectTo ? [originOf(plan.redirectTo)] : [],
  });
};

/**
 * `GET` and `POST /oauth/logout` (OpenID RP-Initiated Logout 1.0, the end_session_endpoint).
 * A verified `id_token_hint` naming the signed-in user ends the session at once; anything
 * less asks first. This POST carries no CSRF token (the RP's form posts it): it ends a session
 * only on the proof of that user's ID token, and the confirmation's POST is CSRF-checked.
 */
export const logoutPage: PageAction = async (request) => {
  const params = paramsOf(request);
  const plan = await planLogout(request.deps, params);
  if (plan.kind === 'refused') {
    return page(
      400,
      layout({
        title: 'This sign-out link is not valid',
        body: html`<p class="error" role="alert">${plan.reason} You are still signed in.</p>`,
      }),
    );
  }
  const status = request.method === 'POST' ? 303 : 302;
  const signedIn = request.signedIn;
  // An RP's cross-site POST carries no SameSite=Lax session cookie; the same request as a
  // top-level GET does (RP-Initiated Logout defines both spellings).
  if (!signedIn && request.method === 'POST') {
    const again = Object.entries({
      id_token_hint: params.idTokenHint,
      client_id: params.clientId,
      post_logout_redirect_uri: params.postLogoutRedirectUri,
      state: params.state,
    }).filter(([, value]) => value !== '');
    return seeOther(`/oauth/logout?${new URLSearchParams(again).toString()}`);
  }
  // Invariant: a hint ends without asking only the browser session it came from (its user,
  // and the sign-in its auth_time names; RP-Initiated Logout §2); any other asks first: an
  // old ID token of an ended session, or another user's.
  const sameSignIn =
    !!signedIn &&
    plan.hintSub === signedIn.user.id &&
    plan.hintAuthTime === Math.floor(sessionAuthTime(signedIn.session) / 1000);
  if (!signedIn || sameSignIn) {
    return signOut(request, plan.redirectTo, params.state, status);
  }
  return confirmationPage(request, plan, params.state);
};

/** `POST /oauth/logout/confirm` (CSRF-checked): the person said yes; the redirect is re-checked. */
export const logoutConfirmSubmit: PageAction = async (request) => {
  const params = { ...paramsOf(request), idTokenHint: '' };
  const plan = await planLogout(request.deps, params);
  return signOut(request, plan.kind === 'logout' ? plan.redirectTo : null, params.state, 303);
};
