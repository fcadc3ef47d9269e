import type { CoreDeps } from '../../core/shared/deps';
import { hiddenField, webauthnForm } from './webauthn-markup';

export const PASSKEY_SIGN_IN_PATH = '/sign-in/passkey';
export const PASSKEY_OPTIONS_PATH = '/sign-in/passkey/options';

/**
 * "Sign in with a passkey" (API.md, MFA: passwordless, user verification required): a button
 * the page script shows when the browser can use one, and the login field's autofill offers
 * the browser's passkeys too. Not offered with passwords off (the API refuses it then).
 */
export const passkeySignInForm = (deps: CoreDeps, csrf: string, returnTo: string) =>
  deps.config.passwordLoginEnabled
    ? webauthnForm({
        action: PASSKEY_SIGN_IN_PATH,
        ceremony: 'authenticate',
        csrf,
        button: 'Sign in with a passkey',
        optionsUrl: PASSKEY_OPTIONS_PATH,
        fields: hiddenField('return_to', returnTo),
        autofill: true,
        unsupported: '',
        label: 'Sign in with a passkey',
      })
    : '';
