import { MfaRequiredError } from '../../core/mfa/second-factor-gate';
import { signInWithPassword } from '../../core/sessions/sign-in';
import type { PageRequest } from '../page-handler';
import { mfaCookie } from './pending-factor';

/**
 * The hosted sign-in's password step: a browser session, or (a factor due: signInWithPassword
 * throws MfaRequiredError before any session opens) the mfa_token's cookie.
 */
export const passwordThenFactor = async (
  request: PageRequest,
  login: string,
  password: string,
): Promise<{ browserSession: string } | { mfaCookie: string }> => {
  try {
    const tokens = await signInWithPassword(
      request.deps,
      { login, password, browser: true },
      request.meta,
    );
    return { browserSession: tokens.browserSession as string };
  } catch (error) {
    if (error instanceof MfaRequiredError) {
      return { mfaCookie: mfaCookie(error.mfaToken, request.secure) };
    }
    throw error;
  }
};
