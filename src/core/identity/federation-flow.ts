import { secretShape } from '../shared/base64url';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { randomSecret, sha256 } from '../shared/ids';

/**
 * An OIDC federation flow between its two legs (API.md, Federation): what the callback must
 * check and spend, kept server-side as a one-time record (purpose `federation_flow`, stored as
 * the SHA-256 of its handle). The browser holds only the handle, in an HttpOnly cookie.
 * Invariants: a flow is spent by its first callback, right or wrong (one conditional write),
 * so a replayed or copied cookie signs no one in; a flow finishes only at the provider it
 * began with; its secrets (state, nonce, PKCE verifier) never leave the server but as the
 * protocol sends them.
 */

export const FEDERATION_FLOW_TTL_SECONDS = 600;
const PREFIX = 'gff_';
const SHAPE = secretShape([PREFIX]);

export interface FederationFlow {
  providerId: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The checked return_to. */
  returnTo: string;
  /** The PKCE hand-off to a first-party app (sso-handoff.ts), or null. */
  codeChallenge: string | null;
  clientId: string | null;
}

const refused = (message: string) => new GatehouseError('token_invalid', message);

/** Remembers the flow; the handle is the browser's only part of it. */
export const startFederationFlow = async (
  deps: CoreDeps,
  flow: FederationFlow,
): Promise<{ handle: string; expiresAt: number }> => {
  const handle = `${PREFIX}${randomSecret()}`;
  const now = deps.clock.now();
  const expiresAt = now + FEDERATION_FLOW_TTL_SECONDS * 1000;
  await deps.store.createOneTimeToken({
    hash: sha256(handle),
    purpose: 'federation_flow',
    // A flow belongs to no account yet.
    userId: '',
    email: '',
    createdAt: now,
    expiresAt,
    usedAt: null,
    payload: JSON.stringify(flow),
  });
  return { handle, expiresAt };
};

/**
 * The callback: spends the flow behind `handle` (once, whatever happens next) and answers it
 * when it is live, a federation flow, and for `providerId`; 401 `token_invalid` otherwise.
 */
export const spendFederationFlow = async (
  deps: CoreDeps,
  handle: string | undefined,
  providerId: string,
): Promise<FederationFlow> => {
  if (!handle) throw refused('No sign-in is under way in this browser: start it again.');
  if (!SHAPE.test(handle)) throw refused('This sign-in is unknown: start it again.');
  const now = deps.clock.now();
  const record = await deps.store.consumeOneTimeToken(sha256(handle), now);
  if (record?.purpose !== 'federation_flow' || record.expiresAt <= now || !record.payload) {
    throw refused('This sign-in has expired or was already finished: start it again.');
  }
  const flow = JSON.parse(record.payload) as FederationFlow;
  // Mix-up: a flow begun with one provider never takes another provider's answer.
  if (flow.providerId !== providerId) {
    throw refused('This sign-in was begun with another provider: start it again.');
  }
  return flow;
};
