import { signInWithPassword } from '../../core/sessions/sign-in';
import type { Action, ActionsOf } from '../handler';
import { json } from '../responses';
import type { SignInBody } from '../schemas';
import { mfaChallengeAction, mfaVerify } from './mfa-sign-in';
import { passkeyOptionsAction, passkeyVerifyAction } from './passkey-sign-in';

const signIn: Action = async ({ deps, body, meta }) =>
  json(200, await signInWithPassword(deps, body as SignInBody, meta));

/** The sign-in function's routes: the password, the second factor when one is due, passkeys. */
export const signInActions: ActionsOf<'signIn'> = {
  'POST /auth/sign-in': signIn,
  'POST /auth/mfa/verify': mfaVerify,
  'POST /auth/mfa/challenge': mfaChallengeAction,
  'POST /auth/passkey/options': passkeyOptionsAction,
  'POST /auth/passkey/verify': passkeyVerifyAction,
};
