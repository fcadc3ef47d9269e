import { FRESH_MARKER_TTL_MS } from './fresh-sign-in-marker';

/**
 * OpenID Connect Core §3.1.2.1: what an authorization request asks of the sign-in (`prompt`,
 * `max_age`, `login_hint`, `nonce`), read once the client and redirect URI are trusted.
 */
export interface SignInRequirements {
  /** `prompt=none`: no page may be shown; a needed one is an error back to the client. */
  noPage: boolean;
  /** `prompt=login`: the browser session's sign-in is not reused. */
  login: boolean;
  /** `prompt=consent`: the consent page is shown even for a remembered grant. */
  consent: boolean;
  /** `max_age` in seconds, or null. */
  maxAgeSeconds: number | null;
  /** Prefills the sign-in form only: never trusted to name the user. */
  loginHint: string;
  nonce: string;
  /**
   * When this service sent the browser to sign in for this request (Unix ms), from its
   * authenticated mark only (fresh-sign-in-marker.ts): a sign-in at or after it is the fresh
   * one asked for. Null until the mark is verified.
   */
  signedInAfter: number | null;
}

/** Our marker on the authorization request sent through the sign-in page. */
export const SIGNED_IN_AFTER = 'signed_in_after';

const PROMPTS = new Set(['none', 'login', 'consent']);
const MAX_HINT = 320;
const MAX_NONCE = 512;
const SECONDS = /^\d{1,10}$/;

/** The request's sign-in requirements, or the reason it is an `invalid_request`. */
export const readSignInRequirements = (
  param: (name: string) => string,
): SignInRequirements | { invalid: string } => {
  // Values OIDC does not define are ignored, as before; select_account has no page here.
  const prompts = param('prompt')
    .split(' ')
    .filter((prompt) => PROMPTS.has(prompt));
  if (prompts.includes('none') && prompts.length > 1) {
    return { invalid: 'prompt: none cannot be combined with another value.' };
  }
  const maxAge = param('max_age');
  if (maxAge !== '' && !SECONDS.test(maxAge)) {
    return { invalid: 'max_age: must be a whole number of seconds.' };
  }
  const nonce = param('nonce');
  if (nonce.length > MAX_NONCE) return { invalid: `nonce: at most ${MAX_NONCE} characters.` };
  const hint = param('login_hint');
  return {
    noPage: prompts.includes('none'),
    login: prompts.includes('login'),
    consent: prompts.includes('consent'),
    maxAgeSeconds: maxAge === '' ? null : Number(maxAge),
    loginHint: hint.length <= MAX_HINT ? hint : '',
    nonce,
    signedInAfter: null,
  };
};

/**
 * Whether the browser session's sign-in (at `authTimeMs`) may be reused for this request:
 * not with `prompt=login`, nor when it is older than `max_age`, unless it is the fresh
 * sign-in this request was sent for.
 */
export const needsFreshSignIn = (
  wants: SignInRequirements,
  authTimeMs: number,
  nowMs: number,
): boolean => {
  const after = wants.signedInAfter;
  if (after !== null && authTimeMs >= after && nowMs - after <= FRESH_MARKER_TTL_MS) return false;
  if (wants.login) return true;
  return wants.maxAgeSeconds !== null && nowMs - authTimeMs > wants.maxAgeSeconds * 1000;
};

/** Whether a sign-in for this request must be marked, so its return is known to be fresh. */
export const asksForFreshness = (wants: SignInRequirements): boolean =>
  wants.login || wants.maxAgeSeconds !== null;
