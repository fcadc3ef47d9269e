import { signInWithPasskey, startPasskeySignIn } from '../../core/sessions/passkey-sign-in';
import type { Action } from '../handler';
import { json } from '../responses';
import type { PasskeyVerifyBody } from '../webauthn-schemas';
import { assertionOf } from './webauthn-json';

/** `POST /auth/passkey/options`: request options for a discoverable credential. */
export const passkeyOptionsAction: Action = async ({ deps, meta }) =>
  json(200, await startPasskeySignIn(deps, meta));

/** `POST /auth/passkey/verify {credential}`: 200 the sign-in shape. */
export const passkeyVerifyAction: Action = async ({ deps, body, meta }) => {
  const { credential } = body as PasskeyVerifyBody;
  return json(200, await signInWithPasskey(deps, assertionOf(credential), meta));
};
