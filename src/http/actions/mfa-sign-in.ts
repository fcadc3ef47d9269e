import { mfaChallengeOptions } from '../../core/mfa';
import { finishMfaSignIn } from '../../core/sessions/mfa-sign-in';
import type { Action } from '../handler';
import { json } from '../responses';
import type { MfaChallengeBody, MfaVerifyBody } from '../schemas';
import { assertionOf } from './webauthn-json';

/** `POST /auth/mfa/verify`: the sign-in's second step (a code or an assertion); 200 the sign-in shape. */
export const mfaVerify: Action = async ({ deps, body, meta }) => {
  const { mfa_token, code, credential } = body as MfaVerifyBody;
  // The schema admits exactly one of code and credential.
  const step = credential
    ? { mfaToken: mfa_token, credential: assertionOf(credential) }
    : { mfaToken: mfa_token, code: code ?? '' };
  return json(200, await finishMfaSignIn(deps, step, { endpoint: 'auth' }, meta));
};

/** `POST /auth/mfa/challenge`: a WebAuthn factor's assertion options (TOTP needs none). */
export const mfaChallengeAction: Action = async ({ deps, body }) => {
  const { mfa_token, factor_id } = body as MfaChallengeBody;
  return json(200, await mfaChallengeOptions(deps, mfa_token, factor_id));
};
