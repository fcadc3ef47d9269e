import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CoreDeps } from '../shared/deps';

/**
 * The mark /oauth/authorize puts on a request it sends through the sign-in page for
 * `prompt=login` or `max_age`: when it sent it (Unix ms), authenticated with the service's
 * HMAC key and bound to the client. Invariant: only this service can say "a sign-in after T
 * is the fresh one this request asked for"; the person at the browser or the RP cannot lower
 * T (red team, issue 14), and a mark older than FRESH_MARKER_TTL_MS vouches for nothing.
 */
export const FRESH_MARKER_TTL_MS = 10 * 60 * 1000;

const macOf = (key: Uint8Array, sentAt: number, clientId: string): string =>
  createHmac('sha256', key)
    .update(`gatehouse:signed_in_after:${sentAt}:${clientId}`)
    .digest('base64url');

export const freshSignInMarker = async (deps: CoreDeps, clientId: string): Promise<string> => {
  const sentAt = deps.clock.now();
  return `${sentAt}.${macOf(await deps.cursorKey(), sentAt, clientId)}`;
};

/** When the request was sent to sign in, if the mark is this service's, for this client. */
export const verifiedFreshSignInMarker = async (
  deps: CoreDeps,
  marker: string,
  clientId: string,
): Promise<number | null> => {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(marker);
  if (!match) return null;
  const sentAt = Number(match[1]);
  const expected = Buffer.from(macOf(await deps.cursorKey(), sentAt, clientId));
  const given = Buffer.from(match[2] as string);
  return given.length === expected.length && timingSafeEqual(given, expected) ? sentAt : null;
};
