import { mfaChallengeOptions } from '../../core/mfa';
import { finishMfaSignIn } from '../../core/sessions/mfa-sign-in';
import type { Action } from '../handler';
import { json } from '../responses';
import type { MfaChallengeBody, MfaVerifyBody } from '../schemas';

/** `POST /auth/mfa/verify`: the sign-in's second step; 200 the sign-in shape. */
export const mfaVerify: Action = async ({ deps, body, meta }) => {
  const { mfa_token, code } = body as MfaVerifyBody;
  return json(
    200,
    await finishMfaSignIn(deps, { mfaToken: mfa_token, code }, { endpoint: 'auth' }, meta),
  );
};

/** `POST /auth/mfa/challenge`: a WebAuthn factor's assertion options (TOTP needs none). */
export const mfaChallengeAction: Action = async ({ deps, body }) => {
  const { mfa_token, factor_id } = body as MfaChallengeBody;
  return json(200, await mfaChallengeOptions(deps, mfa_token, factor_id));
};
