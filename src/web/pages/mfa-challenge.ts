import { originOf } from '../../core/identity/return-to';
import { verifyMfaCode } from '../../core/mfa/mfa-challenge';
import type { MfaTokenRecord } from '../../core/mfa/mfa-tokens';
import { GatehouseError, isGatehouseError } from '../../core/shared/errors';
import type { UserRecord } from '../../core/users/users';
import { pageRefusal } from '../../http/error-answer';
import { checkCodeHandOff, ssoLandingFor } from '../../http/sso-handoff';
import { html } from '../html';
import { alert, csrfField, field, layout } from '../layout';
import { factorSession } from '../mfa/factor-session';
import { dropMfaCookie, MFA_COOKIE, MFA_PATH } from '../mfa/pending-factor';
import { withNotice } from '../notices';
import { type PageAction, type PageRequest, page, seeOther } from '../page-handler';
import { clientOriginsOf, finishBrowserSignIn, returnTarget } from './auth';

/**
 * `/sign-in/mfa`: the hosted sign-in's second step (API.md, MFA). The mfa_token stays in its
 * HttpOnly cookie (pending-factor.ts); the page carries only return_to and an SSO hand-off.
 */

const challengeForm = (request: PageRequest, error?: string) => {
  const carried = ['return_to', 'code_challenge', 'client_id'].map((name) => {
    const value = request.form.get(name) ?? request.query.get(name);
    return value ? html`<input type="hidden" name="${name}" value="${value}">` : '';
  });
  return layout({
    title: 'Two-factor authentication',
    body: html`${alert(error)}
<p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
<form method="post" action="${MFA_PATH}" novalidate>
  ${csrfField(request.csrf)}${carried}
  ${field('Code', 'code', { autocomplete: 'one-time-code', required: true })}
  <button type="submit">Verify</button>
</form>
<p><a href="/sign-in">Start over</a></p>`,
  });
};

/** The first steps a browser takes here: the password page, SSO, federation, an account link. */
const PAGE_METHODS: ReadonlySet<string> = new Set(['password', 'sso', 'federated']);

const tokenOf = (request: PageRequest) => request.cookies?.[MFA_COOKIE] ?? '';

/** After the form, the browser may go on to return_to's origin and a client's redirect URI. */
const formOrigins = async (request: PageRequest, returnTo: string) => [
  ...(returnTo.startsWith('/') ? [] : [originOf(returnTo)]),
  ...(await clientOriginsOf(request.deps, returnTo)),
];

export const challengePage: PageAction = async (request) => {
  const returnTo = returnTarget(request.deps, request.query.get('return_to'));
  // No sign-in waits for a factor in this browser: its first step comes first.
  if (!tokenOf(request)) return seeOther(`/sign-in?return_to=${encodeURIComponent(returnTo)}`);
  return page(200, challengeForm(request), {
    formActionOrigins: await formOrigins(request, returnTo),
  });
};

/** A typed code, as people copy it: spaces dropped, recovery codes in any case. */
const typedCode = (value: string | null) => (value ?? '').replace(/\s+/g, '').toLowerCase();

/**
 * Where the browser goes once the factor is verified: return_to, and for an SSO or federated
 * login that began with a PKCE hand-off, its code, checked again as at the first leg.
 */
const landing = async (
  request: PageRequest,
  user: UserRecord,
  verified: { token: MfaTokenRecord; amr: string[] },
  returnTo: string,
) => {
  const { token } = verified;
  const challenge = request.form.get('code_challenge');
  if (token.context.method === 'password' || !challenge) return returnTo;
  const flow = await checkCodeHandOff(
    request.deps,
    {
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(request.form.get('client_id')
        ? { client_id: request.form.get('client_id') as string }
        : {}),
    },
    returnTo,
  );
  return ssoLandingFor(request.deps, user, returnTo, flow, verified.amr);
};

export const challengeSubmit: PageAction = async (request) => {
  const { deps } = request;
  const returnTo = returnTarget(deps, request.form.get('return_to'));
  try {
    const verified = await verifyMfaCode(
      deps,
      { mfaToken: tokenOf(request), code: typedCode(request.form.get('code')) },
      request.meta,
    );
    const { token } = verified;
    request.setCookies.push(dropMfaCookie(request.secure));
    // Invariant: the page finishes only a browser's own first step (never a password grant's
    // client-bound token or an API step-up's), so no token turns into a cookie it was not for.
    if (!PAGE_METHODS.has(token.context.method) || token.context.clientId !== null) {
      throw new GatehouseError('token_invalid', 'This sign-in cannot be finished here.');
    }
    const { user, browserSession } = await factorSession(deps, verified, request.meta);
    await finishBrowserSignIn(request, browserSession, returnTo);
    return seeOther(await landing(request, user, verified, returnTo));
  } catch (error) {
    if (!isGatehouseError(error)) throw error;
    if (error.code === 'invalid_credentials') {
      return pageRefusal(error, challengeForm(request, error.message), {
        formActionOrigins: await formOrigins(request, returnTo),
      });
    }
    // A spent, expired or locked-out sign-in is over: its cookie goes, and the first step again.
    request.setCookies.push(dropMfaCookie(request.secure));
    if (error.code === 'token_invalid') {
      return seeOther(withNotice(`/sign-in`, 'mfa_expired'));
    }
    throw error;
  }
};
