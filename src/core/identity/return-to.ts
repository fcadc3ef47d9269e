import { GatehouseError } from '../shared/errors';

/**
 * Where a browser may be sent back to after signing in (`return_to`): a path on this service,
 * or an absolute http(s) URL on an allowed origin. Everything that browsers or servers might
 * read differently is refused rather than repaired.
 */
export interface ReturnToPolicy {
  /** The service's own origin (the issuer's), always allowed. */
  ownOrigin: string;
  /** ALLOWED_REDIRECT_ORIGINS. */
  allowedOrigins: readonly string[];
}

const refuse = (why: string) => new GatehouseError('record_invalid', `return_to: ${why}`);

// Control characters, whitespace, backslashes: browsers strip or rewrite them (`/\evil.com`).
const isAmbiguous = (value: string): boolean =>
  [...value].some((char) => {
    const code = char.charCodeAt(0);
    return code <= 0x20 || (code >= 0x7f && code <= 0x9f) || char === '\\';
  });
// Encoded slashes, backslashes, dots and control characters: decoded by one reader, not another.
const ENCODED_TRICKS = /%(2f|5c|2e|0[0-9a-f]|1[0-9a-f]|7f|25)/i;

export const originOf = (url: string): string => new URL(url).origin;

/** ALLOWED_REDIRECT_ORIGINS: comma-separated origins; a bad one stops the start. */
export const allowedOriginsFromEnv = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new Error(`Invalid settings: ALLOWED_REDIRECT_ORIGINS: "${entry}" is not an origin.`);
      }
      const bare = url.pathname === '/' && !url.search && !url.hash && !url.username;
      if (!['http:', 'https:'].includes(url.protocol) || !bare) {
        throw new Error(
          `Invalid settings: ALLOWED_REDIRECT_ORIGINS: "${entry}" must be an http(s) origin only.`,
        );
      }
      return url.origin;
    });

/** The checked `return_to`, as given; throws 400 `record_invalid` for anything else. */
export const checkReturnTo = (value: string, policy: ReturnToPolicy): string => {
  if (value.length === 0 || value.length > 2048) return failWith('must be 1 to 2048 characters.');
  if (isAmbiguous(value)) return failWith('must not hold spaces, control characters or \\.');
  // In the path and authority; a query string may carry encoded URLs (an OAuth redirect_uri).
  const beforeQuery = value.split('?')[0] ?? '';
  if (ENCODED_TRICKS.test(beforeQuery)) {
    return failWith('must not hold encoded slashes or dots.');
  }
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return failWith('must be a path, not //host.');
    const resolved = new URL(value, policy.ownOrigin);
    if (resolved.origin !== policy.ownOrigin) return failWith('must stay on this service.');
    return value;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return failWith('must be a path or an absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return failWith('must be an http(s) URL.');
  }
  if (url.username || url.password) return failWith('must not carry user information.');
  const allowed = [policy.ownOrigin, ...policy.allowedOrigins];
  // The origin as parsed and as written must agree: no look-alike spelled differently.
  const written = value.slice(0, url.origin.length).toLowerCase();
  const next = value.charAt(url.origin.length);
  if (!allowed.includes(url.origin) || written !== url.origin || !['', '/', '?'].includes(next)) {
    return failWith('is not on an allowed origin (ALLOWED_REDIRECT_ORIGINS).');
  }
  return value;
};

const failWith = (why: string): never => {
  throw refuse(why);
};
