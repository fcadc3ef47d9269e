import { MfaRequiredError } from '../../core/mfa/second-factor-gate';
import { signInWithPassword } from '../../core/sessions/sign-in';
import type { PageRequest } from '../page-handler';
import { holdForFactor, mfaCookie } from './pending-factor';

/**
 * The hosted sign-in's password step: a browser session, or (a factor due) the mfa_token's
 * cookie. signInWithPassword throws MfaRequiredError once it calls the gate itself (lane
 * mfa-signin); until then the page calls it on the session it opened. The merge keeps the catch
 * and drops the holdForFactor call.
 */
export const passwordThenFactor = async (
  request: PageRequest,
  login: string,
  password: string,
): Promise<{ browserSession: string } | { mfaCookie: string }> => {
  const { deps } = request;
  try {
    const tokens = await signInWithPassword(deps, { login, password, browser: true }, request.meta);
    const browserSession = tokens.browserSession as string;
    const held = await holdForFactor(
      deps,
      tokens.user.id,
      browserSession,
      { method: 'password', clientId: null, sid: null, amr: ['pwd'] },
      request.meta,
      request.secure,
    );
    return held ? { mfaCookie: held } : { browserSession };
  } catch (error) {
    if (error instanceof MfaRequiredError) {
      return { mfaCookie: mfaCookie(error.mfaToken, request.secure) };
    }
    throw error;
  }
};
