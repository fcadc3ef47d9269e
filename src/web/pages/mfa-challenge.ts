import { originOf } from '../../core/identity/return-to';
import { mfaChallengeOptions, verifyMfaCode, verifyMfaCredential } from '../../core/mfa';
import type { MfaTokenRecord } from '../../core/mfa/mfa-tokens';
import { GatehouseError, isGatehouseError } from '../../core/shared/errors';
import type { UserRecord } from '../../core/users/users';
import { pageRefusal } from '../../http/error-answer';
import { json } from '../../http/responses';
import { checkCodeHandOff, ssoLandingFor } from '../../http/sso-handoff';
import { html } from '../html';
import { alert, csrfField, field, layout } from '../layout';
import { assertionField } from '../mfa/credential-field';
import { factorSession } from '../mfa/factor-session';
import { dropMfaCookie, MFA_COOKIE, MFA_OPTIONS_PATH, MFA_PATH } from '../mfa/pending-factor';
import { type KeyChoice, type PendingFactors, pendingFactors } from '../mfa/pending-factors';
import { hiddenField, webauthnForm } from '../mfa/webauthn-markup';
import { withNotice } from '../notices';
import { type PageAction, type PageRequest, page, seeOther } from '../page-handler';
import { clientOriginsOf, finishBrowserSignIn, returnTarget } from './auth';

/**
 * `/sign-in/mfa`: the hosted sign-in's second step (API.md, MFA). The mfa_token stays in its
 * HttpOnly cookie (pending-factor.ts); the page carries only return_to and an SSO hand-off.
 */

/** What the first step handed on, posted with every form of the page. */
const carriedFields = (request: PageRequest) =>
  ['return_to', 'code_challenge', 'client_id'].map((name) => {
    const value = request.form.get(name) ?? request.query.get(name);
    return value ? hiddenField(name, value) : html``;
  });

/** One button per passkey or security key (its name when there are several). */
const keyForms = (request: PageRequest, keys: KeyChoice[]) =>
  keys.map((key) =>
    webauthnForm({
      action: MFA_PATH,
      ceremony: 'authenticate',
      csrf: request.csrf,
      button: keys.length === 1 ? 'Use your passkey or security key' : `Use “${key.name}”`,
      optionsUrl: MFA_OPTIONS_PATH,
      fields: [...carriedFields(request), hiddenField('factor_id', key.factorId)],
      label: `Sign in with ${key.name}`,
    }),
  );

/** What the code field takes: an app's code when there is an app, a recovery code always. */
const codeHint = ({ keys, hasApp }: PendingFactors) => {
  const codes = hasApp
    ? 'the 6-digit code from your authenticator app, or one of your recovery codes'
    : 'one of your recovery codes';
  return keys.length ? `Or enter ${codes}.` : `Enter ${codes}.`;
};

const challengeForm = (request: PageRequest, factors: PendingFactors, error?: string) =>
  layout({
    title: 'Two-factor authentication',
    body: html`${alert(error)}
${keyForms(request, factors.keys)}<p>${codeHint(factors)}</p>
<form method="post" action="${MFA_PATH}" novalidate>
  ${csrfField(request.csrf)}${carriedFields(request)}
  ${field('Code', 'code', { autocomplete: 'one-time-code', required: true })}
  <button type="submit">Verify</button>
</form>
<p><a href="/sign-in">Start over</a></p>`,
  });

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
  const factors = await pendingFactors(request.deps, tokenOf(request));
  return page(200, challengeForm(request, factors), {
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

/** The factor the form carries: a WebAuthn assertion from the page script, or a typed code. */
const verifyFactor = (request: PageRequest) => {
  const mfaToken = tokenOf(request);
  return request.form.has('credential')
    ? verifyMfaCredential(
        request.deps,
        { mfaToken, credential: assertionField(request) },
        request.meta,
      )
    : verifyMfaCode(
        request.deps,
        { mfaToken, code: typedCode(request.form.get('code')) },
        request.meta,
      );
};

/**
 * `POST /sign-in/mfa/options`: a WebAuthn factor's request options for the page script, for
 * this browser's pending sign-in (its cookie's mfa_token, checked and not spent).
 */
export const challengeOptionsRoute: PageAction = async (request) =>
  json(
    200,
    await mfaChallengeOptions(request.deps, tokenOf(request), request.form.get('factor_id') ?? ''),
  );

export const challengeSubmit: PageAction = async (request) => {
  const { deps } = request;
  const returnTo = returnTarget(deps, request.form.get('return_to'));
  try {
    const verified = await verifyFactor(request);
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
    // A wrong code or key, or a ceremony that sent nothing: the same sign-in, tried again.
    if (error.code === 'invalid_credentials' || error.code === 'record_invalid') {
      const factors = await pendingFactors(deps, tokenOf(request));
      return pageRefusal(error, challengeForm(request, factors, error.message), {
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
