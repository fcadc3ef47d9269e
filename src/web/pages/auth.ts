import {
  forgotPassword,
  resetPasswordWithToken,
  signUp,
  verifyEmail,
} from '../../core/account/self-service';
import { checkReturnTo, originOf } from '../../core/identity/return-to';
import { SIGNED_IN_AFTER } from '../../core/oauth/authorization-prompt';
import { clientRedirectOrigins } from '../../core/oauth/client-lookup';
import { recordFreshSignIn } from '../../core/oauth/fresh-sign-in-marker';
import { endSession } from '../../core/sessions/sessions';
import type { CoreDeps } from '../../core/shared/deps';
import { type ErrorCode, GatehouseError, isGatehouseError } from '../../core/shared/errors';
import { clearCookie, SESSION_COOKIE } from '../../http/cookies';
import { pageRefusal } from '../../http/error-answer';
import { SignUpBody } from '../../http/schemas';
import { checked, given } from '../forms';
import { html } from '../html';
import { alert, csrfField, field, layout } from '../layout';
import { passkeySignInForm } from '../mfa/passkey-button';
import { passwordThenFactor } from '../mfa/password-then-factor';
import { challengeLocation } from '../mfa/pending-factor';
import { noticeText, withNotice } from '../notices';
import { type PageAction, type PageRequest, page, seeOther, sessionCookie } from '../page-handler';
import { onlyProviderButtons, signInButtons } from './sign-in-options';

/** Where a finished sign-in goes: a checked `return_to`, or the console. */
export const returnTarget = (deps: CoreDeps, value: string | null): string =>
  checkReturnTo(value || '/console', {
    ownOrigin: originOf(deps.config.issuerUrl),
    allowedOrigins: deps.config.allowedRedirectOrigins,
  });

/** This page's path and query: where to come back to after signing in. */
export const currentPath = (request: PageRequest): string => {
  const query = request.query.toString();
  return `${request.path}${query ? `?${query}` : ''}`;
};

/**
 * Where someone without a session is sent: the sign-in page, or straight to SSO when it is the
 * only way in (passwords off, no OIDC provider to choose instead). `fresh` shows the form even
 * to a signed-in browser (OIDC prompt=login, max_age); `loginHint` prefills its login.
 */
export const signInRedirect = (
  deps: CoreDeps,
  returnTo: string,
  options: { fresh?: boolean; loginHint?: string } = {},
) => {
  const target = encodeURIComponent(returnTo);
  const ssoOnly =
    !deps.config.passwordLoginEnabled &&
    deps.config.sso?.idpUrl &&
    deps.config.identityProviders.length === 0;
  if (ssoOnly) return seeOther(`/auth/sso?return_to=${target}`);
  const extra = new URLSearchParams({
    ...(options.fresh ? { fresh: '1' } : {}),
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
  }).toString();
  return seeOther(`/sign-in?return_to=${target}${extra ? `&${extra}` : ''}`);
};

/**
 * The origins a form may end up on: after signing in for `/oauth/authorize`, the browser is
 * sent on to that client's redirect URI (CSP form-action covers those redirects too).
 */
export const clientOriginsOf = async (deps: CoreDeps, returnTo: string): Promise<string[]> => {
  if (!returnTo.startsWith('/oauth/authorize?')) return [];
  const clientId = new URLSearchParams(returnTo.split('?')[1]).get('client_id');
  return clientRedirectOrigins(deps, clientId ?? '');
};

/** An authorization request this service marked for a fresh sign-in (authorize.ts). */
const asksFreshSignIn = (returnTo: string): boolean =>
  returnTo.startsWith('/oauth/authorize?') &&
  new URLSearchParams(returnTo.slice(returnTo.indexOf('?') + 1)).has(SIGNED_IN_AFTER);

export const signInForm = async (request: PageRequest, returnTo: string, error?: string) => {
  const { deps } = request;
  // A sign-in asked for as fresh (prompt=login, max_age) is a password one: a provider's
  // or SSO's may be silent upstream, so their buttons are not offered for it (nor a passkey:
  // the authorization endpoint counts only a password as that fresh sign-in).
  const fresh = asksFreshSignIn(returnTo);
  const buttons = fresh ? '' : signInButtons(deps, returnTo);
  const passkey = fresh ? '' : passkeySignInForm(deps, request.csrf, returnTo);
  const passwordForm = deps.config.passwordLoginEnabled
    ? html`<form method="post" action="/sign-in" novalidate>
  ${csrfField(request.csrf)}
  <input type="hidden" name="return_to" value="${returnTo}">
  ${field('Email or username', 'login', { autocomplete: passkey ? 'username webauthn' : 'username', required: true, value: request.form.get('login') ?? loginHint(request) })}
  ${field('Password', 'password', { type: 'password', autocomplete: 'current-password', required: true })}
  <button type="submit">Sign in</button>
</form>
<p><a href="/forgot-password">Forgot your password?</a>${
        deps.config.account.signUpEnabled ? html` · <a href="/sign-up">Create an account</a>` : ''
      }</p>`
    : onlyProviderButtons(deps)
      ? ''
      : html`<p>Password sign-in is turned off: use single sign-on.</p>`;
  const notice = noticeText(request.query.get('notice'));
  return layout({
    title: 'Sign in',
    body: html`${alert(error)}${alert(notice, 'notice')}${buttons}${passwordForm}${passkey}`,
  });
};

/** OIDC login_hint: only ever a prefilled, escaped value the person can change. */
const loginHint = (request: PageRequest): string | null =>
  request.query.get('login_hint')?.slice(0, 320) ?? null;

export const signInPage: PageAction = async (request) => {
  const returnTo = returnTarget(request.deps, request.query.get('return_to'));
  if (request.signedIn && request.query.get('fresh') !== '1') return seeOther(returnTo);
  return page(200, await signInForm(request, returnTo), {
    formActionOrigins: await clientOriginsOf(request.deps, returnTo),
  });
};

/** Refusals a form shows beside itself; their statuses are the error renderer's. */
export const REFUSALS = new Set<ErrorCode>([
  'invalid_credentials',
  'too_many_attempts',
  'account_pending',
  'account_disabled',
  'password_login_disabled',
  'record_invalid',
]);

/** A password sign-in for a request marked for a fresh one: this new session is that sign-in. */
const recordFreshFor = async (request: PageRequest, returnTo: string, browserSession: string) => {
  if (!asksFreshSignIn(returnTo)) return;
  const params = new URLSearchParams(returnTo.slice(returnTo.indexOf('?') + 1));
  const sid = browserSession.split('.')[0] ?? '';
  await recordFreshSignIn(
    request.deps,
    sid,
    params.get(SIGNED_IN_AFTER) ?? '',
    params.get('client_id') ?? '',
  );
};

export const signInSubmit: PageAction = async (request) => {
  const { deps, form } = request;
  const returnTo = returnTarget(deps, form.get('return_to'));
  try {
    const outcome = await passwordThenFactor(
      request,
      form.get('login') ?? '',
      form.get('password') ?? '',
    );
    // A factor is due: no session cookie yet, only the mfa_token's (pending-factor.ts).
    if ('mfaCookie' in outcome) {
      request.setCookies.push(outcome.mfaCookie);
      return seeOther(challengeLocation(returnTo));
    }
    await finishBrowserSignIn(request, outcome.browserSession, returnTo);
    return seeOther(returnTo);
  } catch (error) {
    if (!isGatehouseError(error) || !REFUSALS.has(error.code)) throw error;
    return pageRefusal(error, await signInForm(request, returnTo, error.message), {
      formActionOrigins: await clientOriginsOf(deps, returnTo),
    });
  }
};

/**
 * A finished sign-in in this browser (the password, or the password then a factor): the session
 * cookie, replacing the browser's previous session, and a fresh sign-in recorded if one was asked.
 */
export const finishBrowserSignIn = async (
  request: PageRequest,
  browserSession: string,
  returnTo: string,
) => {
  // A fresh sign-in replaces the browser's session: the one it had is not left alive.
  if (request.signedIn) {
    const { user, session } = request.signedIn;
    await endSession(request.deps, user.id, session.sid, request.meta);
  }
  request.setCookies.push(sessionCookie(browserSession, request.deps, request.secure));
  await recordFreshFor(request, returnTo, browserSession);
};

export const signOutSubmit: PageAction = async (request) => {
  if (request.signedIn) {
    const { user, session } = request.signedIn;
    // The API's sign-out: the session ends and `auth.sign_out` is audited.
    await endSession(request.deps, user.id, session.sid, request.meta);
  }
  request.setCookies.push(clearCookie(SESSION_COOKIE, { path: '/', secure: request.secure }));
  return seeOther(withNotice('/sign-in', 'signed_out'));
};

/** A page with one form and the outcome of posting it. */
const formPage = (
  title: string,
  content: ReturnType<typeof html>,
  options: { error?: string; notice?: string } = {},
) =>
  layout({
    title,
    body: html`${alert(options.error)}${alert(options.notice, 'notice')}${content}`,
  });

const attempt = async (
  work: () => Promise<ReturnType<typeof page>>,
  retry: (error: string) => ReturnType<typeof html>,
) => {
  try {
    return await work();
  } catch (error) {
    if (isGatehouseError(error) && (REFUSALS.has(error.code) || error.code === 'conflict')) {
      return pageRefusal(error, retry(error.message));
    }
    throw error;
  }
};

const signUpForm = (request: PageRequest, error?: string) =>
  formPage(
    'Create an account',
    html`<form method="post" action="/sign-up">
  ${csrfField(request.csrf)}
  ${field('Email', 'email', { type: 'email', autocomplete: 'email', required: true, value: request.form.get('email') })}
  ${field('Name', 'name', { autocomplete: 'name', value: request.form.get('name') })}
  ${field('Password', 'password', { type: 'password', autocomplete: 'new-password', required: true, hint: `At least ${request.deps.config.passwordMinLength} characters; a common password is refused.` })}
  <button type="submit">Create account</button>
</form>
<p><a href="/sign-in">Already have an account? Sign in</a></p>`,
    { ...(error ? { error } : {}) },
  );

const assertSignUpOpen = (request: PageRequest) => {
  if (!request.deps.config.account.signUpEnabled) {
    throw new GatehouseError(
      'forbidden',
      'Sign-up is turned off here. Ask an admin for an account.',
    );
  }
};

export const signUpPage: PageAction = async (request) => {
  assertSignUpOpen(request);
  return page(200, signUpForm(request));
};

export const signUpSubmit: PageAction = async (request) => {
  assertSignUpOpen(request);
  const { form } = request;
  return attempt(
    async () => {
      const user = await signUp(
        request.deps,
        checked(SignUpBody, {
          email: given(form, 'email') ?? '',
          password: form.get('password') ?? '',
          ...(given(form, 'name') ? { name: given(form, 'name') } : {}),
        }),
        request.meta,
      );
      if (user.status === 'unverified') {
        return page(
          201,
          formPage(
            'Check your mail',
            html`<p>We sent a link to ${user.email}. Open it to confirm the address, then sign in.</p>`,
          ),
        );
      }
      return seeOther(withNotice('/sign-in', 'account_ready'));
    },
    (error) => signUpForm(request, error),
  );
};

/** Pages whose mailed link carries the token in the fragment; app.js copies it into the form. */
const tokenForm = (
  request: PageRequest,
  action: string,
  button: string,
  extra: ReturnType<typeof html> | '' = '',
) => html`<form method="post" action="${action}" data-fragment-token>
  ${csrfField(request.csrf)}
  <input type="hidden" name="token" value="">
  ${extra}
  <button type="submit">${button}</button>
</form>
<p class="hint" data-no-token hidden>This page needs the link from your mail.</p>`;

/** Account linking: the password proves the one confirming holds the account, which keeps it. */
const verifyForm = (request: PageRequest) =>
  tokenForm(
    request,
    '/verify-email',
    'Confirm',
    field('Your password', 'password', {
      type: 'password',
      autocomplete: 'current-password',
      hint: 'The account’s password, if it has one. Without it, confirming signs the account out everywhere and removes its password: choose a new one with “Forgot password”.',
    }),
  );

export const verifyEmailPage: PageAction = async (request) =>
  page(200, formPage('Confirm your email', verifyForm(request)));

export const verifyEmailSubmit: PageAction = async (request) =>
  attempt(
    async () => {
      const password = request.form.get('password') || undefined;
      await verifyEmail(request.deps, request.form.get('token') ?? '', request.meta, password);
      return seeOther(withNotice('/sign-in', 'email_confirmed'));
    },
    (error) =>
      formPage('Confirm your email', html`<p><a href="/sign-in">Sign in</a></p>`, {
        error,
      }),
  );

const forgotForm = (request: PageRequest, options: { error?: string; notice?: string } = {}) =>
  formPage(
    'Forgot your password?',
    html`<form method="post" action="/forgot-password">
  ${csrfField(request.csrf)}
  ${field('Email', 'email', { type: 'email', autocomplete: 'email', required: true })}
  <button type="submit">Mail me a link</button>
</form>`,
    options,
  );

export const forgotPasswordPage: PageAction = async (request) => page(200, forgotForm(request));

export const forgotPasswordSubmit: PageAction = async (request) =>
  attempt(
    async () => {
      await forgotPassword(request.deps, request.form.get('email') ?? '', request.meta);
      return page(
        202,
        forgotForm(request, {
          notice: 'If an account has this address, a mail with a link is on its way.',
        }),
      );
    },
    (error) => forgotForm(request, { error }),
  );

const resetForm = (request: PageRequest, error?: string) =>
  formPage(
    'Choose a new password',
    tokenForm(
      request,
      '/reset-password',
      'Set password',
      field('New password', 'password', {
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        hint: `At least ${request.deps.config.passwordMinLength} characters. Every session ends.`,
      }),
    ),
    { ...(error ? { error } : {}) },
  );

export const resetPasswordPage: PageAction = async (request) => page(200, resetForm(request));

export const resetPasswordSubmit: PageAction = async (request) =>
  attempt(
    async () => {
      await resetPasswordWithToken(
        request.deps,
        { token: request.form.get('token') ?? '', password: request.form.get('password') ?? '' },
        request.meta,
      );
      return seeOther(withNotice('/sign-in', 'password_reset'));
    },
    (error) => resetForm(request, error),
  );
