import { MFA_TOKEN_MS } from '../../core/mfa/mfa-tokens';
import { clearCookie, setCookie } from '../../http/cookies';

/**
 * The hosted sign-in's second step (API.md, MFA): between a right first step and the factor,
 * the browser holds the `mfa_token` only in this cookie, never in a URL or a page.
 */
export const MFA_COOKIE = 'gatehouse_mfa';
export const MFA_PATH = '/sign-in/mfa';
/** Under MFA_PATH, so the cookie goes with the page script's request for a key's options. */
export const MFA_OPTIONS_PATH = '/sign-in/mfa/options';

/** HttpOnly, SameSite=Lax, Secure on https, sent to the challenge page only, as long as the token lives. */
export const mfaCookie = (mfaToken: string, secure: boolean): string =>
  setCookie(MFA_COOKIE, mfaToken, { path: MFA_PATH, maxAgeSeconds: MFA_TOKEN_MS / 1000, secure });

export const dropMfaCookie = (secure: boolean): string =>
  clearCookie(MFA_COOKIE, { path: MFA_PATH, secure });

/** A first leg's PKCE hand-off to a first-party app (sso-handoff.ts), carried to the challenge. */
interface HandOff {
  codeChallenge: string;
  clientId: string;
}

/** The challenge page's address: only what is not secret (where to go after, the hand-off). */
export const challengeLocation = (returnTo: string, flow: HandOff | null = null): string => {
  const query = new URLSearchParams({ return_to: returnTo });
  if (flow) {
    query.set('code_challenge', flow.codeChallenge);
    query.set('client_id', flow.clientId);
  }
  return `${MFA_PATH}?${query.toString()}`;
};
