import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { randomSecret, sha256 } from '../shared/ids';

/** An authorization request waiting for the user's Allow or Deny. */
export interface PendingConsent {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  /** The scope already checked against the user's grants. */
  scope: string[];
  /** OIDC: the request's nonce, for the code (and so the ID token); empty: none. */
  nonce: string;
}

const TTL_MS = 10 * 60_000;

interface Wire {
  c: string;
  r: string;
  s: string;
  p: string;
  g: string[];
  /** The nonce (absent in requests remembered before nonces were kept). */
  o?: string;
  e: number;
  /** Fresh each time: two identical requests are two pages, each answered once. */
  n: string;
}

/** Bound to the browser session: the same request text under another session is another key. */
const keyOf = (sid: string, request: string) => sha256(`${sid}\n${request}`);

/**
 * Remembers a pending request server-side and answers its text for the consent page's URL and
 * form. Only what `/oauth/authorize` checked and remembered here is ever accepted back, under
 * the same browser session, so neither the client nor an edited form can change the client,
 * redirect URI or scope between the page and the answer (a one-time marker per request;
 * nothing else to store).
 */
export const rememberPendingConsent = async (
  deps: CoreDeps,
  sid: string,
  pending: PendingConsent,
): Promise<string> => {
  const now = deps.clock.now();
  const wire: Wire = {
    c: pending.clientId,
    r: pending.redirectUri,
    s: pending.state,
    p: pending.codeChallenge,
    g: pending.scope,
    o: pending.nonce,
    e: now + TTL_MS,
    n: randomSecret().slice(0, 16),
  };
  const request = Buffer.from(JSON.stringify(wire)).toString('base64url');
  await deps.store.markOnce(`consent-asked#${keyOf(sid, request)}`, wire.e, now);
  return request;
};

const decode = (request: string): Wire | null => {
  if (request.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(request)) return null;
  try {
    const wire = JSON.parse(Buffer.from(request, 'base64url').toString('utf8')) as Wire;
    const strings = [wire.c, wire.r, wire.s, wire.p, wire.o ?? ''].every(
      (v) => typeof v === 'string',
    );
    const scope = Array.isArray(wire.g) && wire.g.every((v) => typeof v === 'string');
    return strings && scope && typeof wire.e === 'number' ? wire : null;
  } catch {
    return null;
  }
};

const expired = () =>
  new GatehouseError(
    'record_invalid',
    'This authorization request has expired or is not yours. Go back to the application and start again.',
  );

/**
 * The pending request behind `request`, if this browser session was given it and it is live.
 * The check writes only an already-expired marker when the request is unknown (markOnce's
 * condition leaves a live marker untouched), so probing can never make a request valid.
 */
export const readPendingConsent = async (
  deps: CoreDeps,
  sid: string,
  request: string,
): Promise<PendingConsent> => {
  const wire = decode(request);
  const now = deps.clock.now();
  if (!wire || wire.e <= now) throw expired();
  const unknown = await deps.store.markOnce(`consent-asked#${keyOf(sid, request)}`, now - 1, now);
  if (unknown) throw expired();
  return {
    clientId: wire.c,
    redirectUri: wire.r,
    state: wire.s,
    codeChallenge: wire.p,
    scope: wire.g,
    // Requests remembered before nonces were kept carry none.
    nonce: wire.o ?? '',
  };
};

/** Reads a pending request for its one answer: a second Allow or Deny is refused. */
export const answerPendingConsent = async (
  deps: CoreDeps,
  sid: string,
  request: string,
): Promise<PendingConsent> => {
  const pending = await readPendingConsent(deps, sid, request);
  const now = deps.clock.now();
  const first = await deps.store.markOnce(
    `consent-answered#${keyOf(sid, request)}`,
    now + TTL_MS,
    now,
  );
  if (!first) {
    throw new GatehouseError('conflict', 'This request was already answered.');
  }
  return pending;
};
