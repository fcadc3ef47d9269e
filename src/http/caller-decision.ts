import { type ErrorCode, isGatehouseError } from '../core/shared/errors';
import { createTtlCache } from '../core/shared/ttl-cache';
import { judgeApiToken, parseApiToken } from '../core/tokens/api-token-judge';
import { looksLikeApiToken } from '../core/tokens/api-token-secret';
import type { ApiTokenRecord } from '../core/tokens/api-tokens';
import { createKeyRing } from '../core/tokens/key-ring';
import type { PublicJwk } from '../core/tokens/signing-keys';
import type { Role, ScopeCatalog } from '../core/users/roles';
import type { ApiTokenState, UseOrigin } from '../store/api-token-state';
import {
  type AuthorizerContext,
  anonymousContext,
  apiTokenContext,
  contextFromClaims,
  defaultOwnerContext,
} from './principal';
import {
  createRevocationView,
  type RevocationViewOptions,
  type SessionStanding,
} from './revocation-view';

export interface CallerDecisionOptions {
  issuer: string;
  audience: string;
  now: () => number;
  /** The published public keys; read at cold start and when an unknown `kid` appears. */
  loadKeys: () => Promise<PublicJwk[]>;
  /**
   * Gatehouse's own HTTP API: always let the request through, carrying either the principal
   * or the refusal, so the handler answers the contract's 401 body (HTTP APIs cannot shape
   * an authorizer's denial). Every other API gets a plain deny.
   */
  denyWithReason: boolean;
  /** Set when REQUIRE_USER_AUTHENTICATION=0: requests without a token act as the owner. */
  defaultOwnerScope: string | null;
  /**
   * Whether a sign-in session has ended (sign-out, disable, role change, password reset,
   * deletion): read at most once per session per `revocationCacheSeconds`.
   */
  isSessionRevoked: (sid: string) => Promise<boolean>;
  revocationCacheSeconds: number;
  /**
   * The revocation feed (src/store/revocation-feed.ts): when set, a token issued within the
   * feed's coverage is decided from it with no read per session; an older one falls back to
   * `isSessionRevoked`. `lookbackSeconds`: the longest access token's lifetime plus skew.
   */
  revocationFeed?: { read: RevocationViewOptions['read']; lookbackSeconds: number };
  /** API tokens (`sat_…`): read at most once per token per `revocationCacheSeconds`. */
  apiTokens: {
    load: (tokenId: string) => Promise<ApiTokenState | null>;
    /** The use's lastUsedAt/lastUsedFrom stamp when one is due, else null (api-token-state.ts). */
    markUsed: (token: ApiTokenRecord, at: number, origin: UseOrigin) => Promise<void> | null;
  };
  /** Counts each allowed API token use in memory (token-use-counter.ts); absent: not counted. */
  tokenUses?: { note: (at: number) => void } | null;
  /** The grants that bound every API token's scopes at each use. */
  scopes: ScopeCatalog;
  /** MFA_REQUIRED_ROLES: a human owner of such a role gets nothing from a token made without a factor. */
  mfaRequiredRoles: readonly Role[];
  cacheSize?: number;
  /** How soon an unknown `kid` may trigger another key reload. */
  keyReloadIntervalMs?: number;
}

/** Where a request came from, asked only when an API token is used (the event's fields). */
export type OriginOf = (() => UseOrigin) | undefined;

const unknownOrigin: UseOrigin = { ip: null, userAgent: null };

export type Decision =
  | { allow: true; context: AuthorizerContext }
  | { allow: false; code: ErrorCode; message: string };

export const deny = (code: ErrorCode, message: string): Decision => ({
  allow: false,
  code,
  message,
});

const BEARER = 'bearer';
const WHITESPACE = /\s/;

/**
 * The token of `^Bearer[ ]+(\S+)\s*$`i, without the capturing regex's scan of a 1 KB token
 * (the fresh-token hot path): trimEnd drops exactly what `\s*$` matches.
 */
const bearerToken = (header: string | undefined): string | null => {
  if (!header || header.length < BEARER.length + 2) return null;
  // ASCII letters only: OR 0x20 lower-cases them and maps nothing else onto them.
  for (let i = 0; i < BEARER.length; i++) {
    if ((header.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(i)) return null;
  }
  let start = BEARER.length;
  while (header.charCodeAt(start) === 0x20) start++;
  if (start === BEARER.length) return null;
  const token = header.slice(start).trimEnd();
  return token.length > 0 && !WHITESPACE.test(token) ? token : null;
};

/**
 * Who the Authorization header names: an access token (key ring, then its session), an API
 * token (the core's judge), the default owner or nobody. No database call on the access-token
 * path once keys and sessions are cached; only our own verdicts carry their message.
 */
export const createCallerDecision = (options: CallerDecisionOptions) => {
  const cacheSize = options.cacheSize ?? 10_000;
  const ring = createKeyRing({
    issuer: options.issuer,
    audience: options.audience,
    now: options.now,
    loadKeys: options.loadKeys,
    cacheSize,
    ...(options.keyReloadIntervalMs === undefined
      ? {}
      : { reloadIntervalMs: options.keyReloadIntervalMs }),
  });
  const remembered = { ttlMs: options.revocationCacheSeconds * 1000, maxSize: cacheSize };
  const sessions = createTtlCache<string, boolean>({ ...remembered, now: options.now });
  const apiTokenStates = createTtlCache<string, ApiTokenState | null>({
    ...remembered,
    now: options.now,
  });

  // Any failure is a denial; only our own verdicts carry their message.
  const refusal = (error: unknown): Decision =>
    isGatehouseError(error)
      ? deny(error.code, error.message)
      : deny('token_invalid', 'The access token could not be verified.');

  const revokedDecision = deny('token_invalid', 'The session of this access token has ended.');
  const apiTokenRefused = deny('token_invalid', 'The API token is invalid, expired or revoked.');

  // A window of 0 remembers nothing: every token's session is read, as REVOCATION_CACHE_SECONDS=0
  // asks (a feed read per request would cost more than the session's own item).
  const feed =
    options.revocationFeed && options.revocationCacheSeconds > 0
      ? createRevocationView({
          read: options.revocationFeed.read,
          now: options.now,
          windowMs: options.revocationCacheSeconds * 1000,
          lookbackMs: options.revocationFeed.lookbackSeconds * 1000,
        })
      : null;

  /** The session item itself, remembered per sid for the window. */
  const decideBySessionRead = (
    sid: string,
    context: AuthorizerContext,
  ): Decision | Promise<Decision> => {
    const known = sessions.get(sid);
    if (known !== undefined) return known ? revokedDecision : { allow: true, context };
    return options.isSessionRevoked(sid).then((revoked): Decision => {
      sessions.set(sid, revoked);
      return revoked ? revokedDecision : { allow: true, context };
    }, refusal);
  };

  const decideStanding = (
    standing: SessionStanding,
    sid: string,
    context: AuthorizerContext,
  ): Decision | Promise<Decision> =>
    standing === 'ended'
      ? revokedDecision
      : standing === 'live'
        ? { allow: true, context }
        : decideBySessionRead(sid, context);

  const decideClaims = (
    claims: Parameters<typeof contextFromClaims>[0],
  ): Decision | Promise<Decision> => {
    const context = contextFromClaims(claims);
    // The verifier refuses a token without `sid`: every token's session is checked here.
    const sid = claims.sid;
    if (!feed) return decideBySessionRead(sid, context);
    try {
      const standing = feed.standing(sid, claims.iat * 1000);
      return standing instanceof Promise
        ? standing.then((known) => decideStanding(known, sid, context), refusal)
        : decideStanding(standing, sid, context);
    } catch (error) {
      return refusal(error);
    }
  };

  /** Synchronous on the hot path: only a key reload or a session check makes it wait. */
  const decideAccessToken = (token: string): Decision | Promise<Decision> => {
    try {
      const claims = ring.verify(token);
      return claims instanceof Promise ? claims.then(decideClaims, refusal) : decideClaims(claims);
    } catch (error) {
      return refusal(error);
    }
  };

  const policy = { catalog: options.scopes, mfaRequiredRoles: options.mfaRequiredRoles };
  /** The core's judge at each use (a demotion shrinks every token); only the state is cached. */
  const judge = (hash: string, state: ApiTokenState | null): Decision => {
    const verdict = judgeApiToken(policy, hash, state, options.now());
    if (verdict.valid) {
      const { token, owner, scopes } = verdict;
      return { allow: true, context: apiTokenContext(token, owner, scopes.join(' ')) };
    }
    return verdict.reason === 'expired'
      ? deny('token_expired', 'The API token has expired.')
      : apiTokenRefused;
  };

  /** An allowed use: counted in memory, and stamped (lastUsedAt, from where) when one is due. */
  const noteUse = (decision: Decision, state: ApiTokenState | null, origin: OriginOf) => {
    if (!decision.allow || !state) return null;
    const at = options.now();
    options.tokenUses?.note(at);
    return options.apiTokens.markUsed(state.token, at, origin?.() ?? unknownOrigin);
  };

  const decideApiToken = (secret: string, origin: OriginOf): Decision | Promise<Decision> => {
    const parsed = parseApiToken(secret);
    if (!parsed) return apiTokenRefused;
    const { hash, tokenId } = parsed;
    const known = apiTokenStates.get(tokenId);
    if (known !== undefined) {
      const decision = judge(hash, known);
      // A cached token's stamp (a new address) runs beside the answer: a lost one waits an hour.
      noteUse(decision, known, origin)?.catch(() => {});
      return decision;
    }
    return options.apiTokens
      .load(tokenId)
      .then(async (state) => {
        apiTokenStates.set(tokenId, state);
        const decision = judge(hash, state);
        await noteUse(decision, state, origin);
        return decision;
      })
      .catch(refusal);
  };

  /** `origin`: where the request came from, read only for an API token's use. */
  return (authorization: string | undefined, origin?: OriginOf): Decision | Promise<Decision> => {
    if (!authorization) {
      if (options.defaultOwnerScope !== null) {
        return { allow: true, context: defaultOwnerContext(options.defaultOwnerScope) };
      }
      // With reasons, the handler decides: optional routes take anonymous callers.
      return options.denyWithReason
        ? { allow: true, context: anonymousContext }
        : deny('token_invalid', 'Authentication is required: send Authorization: Bearer <token>.');
    }
    const token = bearerToken(authorization);
    if (!token) {
      // Another scheme (OAuth clients' Basic) is the handler's to judge; protected routes
      // refuse an anonymous caller anyway.
      const otherScheme = !/^bearer\b/i.test(authorization);
      return options.denyWithReason && otherScheme
        ? { allow: true, context: anonymousContext }
        : deny('token_invalid', 'The Authorization header must be "Bearer <token>".');
    }
    return looksLikeApiToken(token) ? decideApiToken(token, origin) : decideAccessToken(token);
  };
};
