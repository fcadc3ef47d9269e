import { passkeyOptions, verifyPasskey } from '../../core/mfa';
import type { CoreDeps } from '../../core/shared/deps';
import { GatehouseError, isGatehouseError } from '../../core/shared/errors';
import { pageRefusal } from '../../http/error-answer';
import { json } from '../../http/responses';
import { credentialField } from '../mfa/credential-field';
import { passkeySession } from '../mfa/passkey-session';
import { type PageAction, seeOther } from '../page-handler';
import { clientOriginsOf, finishBrowserSignIn, REFUSALS, returnTarget, signInForm } from './auth';

/**
 * "Sign in with a passkey" on the hosted sign-in (and so for /oauth/authorize, which sends the
 * browser there): passwordless, a discoverable credential with user verification, amr
 * ["hwk","mfa"] (API.md, MFA).
 */

/** As the API's /auth/passkey/*: with passwords off, passkeys are off too. */
const assertPasskeysOn = (deps: CoreDeps) => {
  if (!deps.config.passwordLoginEnabled) {
    throw new GatehouseError('password_login_disabled', 'Sign-in with a passkey is turned off.');
  }
};

/** `POST /sign-in/passkey/options`: fresh request options for the page script (CSRF-checked). */
export const passkeyOptionsRoute: PageAction = async (request) => {
  assertPasskeysOn(request.deps);
  return json(200, await passkeyOptions(request.deps));
};

export const passkeySignInSubmit: PageAction = async (request) => {
  const { deps } = request;
  const returnTo = returnTarget(deps, request.form.get('return_to'));
  try {
    assertPasskeysOn(deps);
    const verified = await verifyPasskey(deps, credentialField(request), request.meta);
    const browserSession = await passkeySession(deps, verified, request.meta);
    await finishBrowserSignIn(request, browserSession, returnTo);
    return seeOther(returnTo);
  } catch (error) {
    if (!isGatehouseError(error) || !REFUSALS.has(error.code)) throw error;
    return pageRefusal(error, await signInForm(request, returnTo, error.message), {
      formActionOrigins: await clientOriginsOf(deps, returnTo),
    });
  }
};
