import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CoreDeps } from '../shared/deps';
import { sha256 } from '../shared/ids';

/**
 * The mark /oauth/authorize puts on a request it sends through the sign-in page for
 * `prompt=login` or `max_age`: when it sent it (Unix ms), authenticated with the service's
 * HMAC key and bound to the client. Invariant: only this service can say "a sign-in after T
 * is the fresh one this request asked for"; the person at the browser or the RP cannot lower
 * T (red team, issue 14), and a mark older than FRESH_MARKER_TTL_MS vouches for nothing.
 * A mark proves nothing by itself (anyone can have one minted): only the browser session that
 * signed in with the marked request as its return, once (recordFreshSignIn, spendFreshSignIn).
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

const signedInFor = (sid: string, marker: string) => `fresh-sign-in#${sha256(`${sid}:${marker}`)}`;

/** The sign-in page: browser session `sid` was just signed in by password for `marker`'s request. */
export const recordFreshSignIn = async (
  deps: CoreDeps,
  sid: string,
  marker: string,
  clientId: string,
): Promise<void> => {
  const sentAt = await verifiedFreshSignInMarker(deps, marker, clientId);
  if (sentAt === null) return;
  await deps.store.markOnce(
    signedInFor(sid, marker),
    sentAt + FRESH_MARKER_TTL_MS,
    deps.clock.now(),
  );
};

/**
 * When the marked request was sent to sign in, if browser session `sid` is the sign-in it led
 * to and this is the first time it is claimed; else null. Invariant: a mark vouches for one
 * session's sign-in, once: not for another browser's session, nor for a replay of the request.
 */
export const spendFreshSignIn = async (
  deps: CoreDeps,
  sid: string,
  marker: string,
  clientId: string,
): Promise<number | null> => {
  const sentAt = await verifiedFreshSignInMarker(deps, marker, clientId);
  const now = deps.clock.now();
  if (sentAt === null || now - sentAt > FRESH_MARKER_TTL_MS) return null;
  const key = signedInFor(sid, marker);
  // Probing writes only an already-expired marker, which never makes an unknown one valid.
  if (await deps.store.markOnce(key, now - 1, now)) return null;
  const first = await deps.store.markOnce(`${key}#spent`, sentAt + FRESH_MARKER_TTL_MS, now);
  return first ? sentAt : null;
};
