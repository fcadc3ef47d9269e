import { signInWithPasskey, startPasskeySignIn } from '../../core/sessions/passkey-sign-in';
import { isGatehouseError } from '../../core/shared/errors';
import { pageRefusal } from '../../http/error-answer';
import { json } from '../../http/responses';
import { assertionField } from '../mfa/credential-field';
import { type PageAction, seeOther } from '../page-handler';
import { clientOriginsOf, finishBrowserSignIn, REFUSALS, returnTarget, signInForm } from './auth';

/**
 * "Sign in with a passkey" on the hosted sign-in (and so for /oauth/authorize, which sends the
 * browser there): the API's passkey sign-in (passwordless, user verification required, amr
 * ["hwk","mfa"], off with passwords, the per-IP limit), with a browser session.
 */

/** `POST /sign-in/passkey/options`: fresh request options for the page script (CSRF-checked). */
export const passkeyOptionsRoute: PageAction = async (request) =>
  json(200, await startPasskeySignIn(request.deps, request.meta));

export const passkeySignInSubmit: PageAction = async (request) => {
  const { deps } = request;
  const returnTo = returnTarget(deps, request.form.get('return_to'));
  try {
    const tokens = await signInWithPasskey(deps, assertionField(request), request.meta, {
      browser: true,
    });
    await finishBrowserSignIn(request, tokens.browserSession as string, returnTo);
    return seeOther(returnTo);
  } catch (error) {
    if (!isGatehouseError(error) || !REFUSALS.has(error.code)) throw error;
    return pageRefusal(error, await signInForm(request, returnTo, error.message), {
      formActionOrigins: await clientOriginsOf(deps, returnTo),
    });
  }
};
