import { createHash } from 'node:crypto';
import { noRequest, type RequestMeta } from '../audit/audit';
import { userMfaSummary } from '../mfa';
import { credentialVersionOf } from '../sessions/credential-version';
import { isCredentialsMoved, startSession, type TokenResponse } from '../sessions/sessions';
import { secretShape } from '../shared/base64url';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { randomSecret, sha256 } from '../shared/ids';
import type { CredentialOrigin } from '../users/credential-lineage';
import { consentStillHolds } from './consent';
import { grantScopes } from './oauth-scopes';

/** A one-time authorization code, kept only as its SHA-256 (`hash`). */
export interface AuthorizationCodeRecord {
  hash: string;
  clientId: string;
  redirectUri: string;
  /**
   * PKCE S256 challenge: base64url(SHA-256(code_verifier)); empty for a confidential client
   * that sent none (contract: optional for them), whose code then takes no verifier.
   */
  codeChallenge: string;
  userId: string;
  /** The scope granted at the authorization; the session it opens keeps it. */
  scope?: string[];
  /** The user's credentialVersion at issue (absent: 0); spent only while it is still theirs. */
  credentialVersion?: number;
  /** The origin of the browser session that approved it (credential-lineage.ts). */
  origin?: CredentialOrigin;
  /** The approving session's auth time; absent: long ago (a step-up needs proof). */
  authTime?: number;
  /** The approving session's RFC 8176 methods (sessionAmr); absent: derived from `origin`. */
  amr?: string[];
  /** OIDC: the authorization request's nonce, for the ID token; absent: none was sent. */
  nonce?: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

const CODE_TTL_MS = 60_000;
const MAX_NONCE_LENGTH = 512;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const AUTHORIZATION_CODE = secretShape(['ac_']);

const invalidGrant = (message: string) => new GatehouseError('invalid_credentials', message);

/**
 * Issues a code for a user who has just signed in (the SSO callback and the hosted sign-in
 * call this): one use, 60 seconds, bound to the client, its exact redirect URI and a PKCE
 * S256 challenge.
 */
export const issueAuthorizationCode = async (
  deps: CoreDeps,
  grant: {
    clientId: string;
    redirectUri: string;
    codeChallenge: string;
    userId: string;
    scope: string[];
    /** The credentialVersion of the user as the caller read it; absent: read now. */
    credentialVersion?: number;
    origin?: CredentialOrigin;
    /** When the approving session last authenticated (sessionAuthTime). */
    authTime?: number;
    /** The approving session's methods (sessionAmr): a verified factor's `mfa` carries over. */
    amr?: string[];
    nonce?: string;
  },
): Promise<string> => {
  if (grant.codeChallenge !== '' && !CHALLENGE.test(grant.codeChallenge)) {
    throw new GatehouseError('record_invalid', 'code_challenge: must be an S256 challenge.');
  }
  if (grant.nonce !== undefined && grant.nonce.length > MAX_NONCE_LENGTH) {
    throw new GatehouseError('record_invalid', `nonce: at most ${MAX_NONCE_LENGTH} characters.`);
  }
  const { nonce, ...bound } = grant;
  const code = `ac_${randomSecret()}`;
  const now = deps.clock.now();
  const credentialVersion =
    grant.credentialVersion ?? credentialVersionOf((await deps.store.getUser(grant.userId)) ?? {});
  await deps.store.createAuthorizationCode({
    hash: sha256(code),
    ...bound,
    ...(nonce ? { nonce } : {}),
    credentialVersion,
    createdAt: now,
    expiresAt: now + CODE_TTL_MS,
    usedAt: null,
  });
  return code;
};

/** RFC 6749 §4.1.3 with RFC 7636: the code, once, by its client, with the verifier. */
export const exchangeAuthorizationCode = async (
  deps: CoreDeps,
  request: { code: string; clientId: string; redirectUri: string; codeVerifier?: string },
  meta: RequestMeta = noRequest,
): Promise<TokenResponse> => {
  if (request.codeVerifier !== undefined && !VERIFIER.test(request.codeVerifier)) {
    throw new GatehouseError(
      'record_invalid',
      'code_verifier: must be 43 to 128 unreserved characters.',
    );
  }
  // Only the one spelling we issued: any other is no code of ours.
  if (!AUTHORIZATION_CODE.test(request.code)) {
    throw invalidGrant('The code is invalid, used or expired.');
  }
  const now = deps.clock.now();
  const hash = sha256(request.code);
  // Invariant: read first, spent only in the session's own write (or by a wrong try), so an
  // exchange that fails on an outage (503) leaves the code for its retry, and of two exchanges
  // of one code only one session is written (the write is conditional on the code unspent).
  const code = await deps.store.getAuthorizationCode(hash);
  if (!code || code.usedAt !== null || code.expiresAt <= now) {
    throw invalidGrant('The code is invalid, used or expired.');
  }
  // Any refusal spends the code first: it is gone after one try, right or wrong.
  const refuse = async (reason: string): Promise<never> => {
    await deps.store.consumeAuthorizationCode(hash, now);
    throw invalidGrant(reason);
  };
  if (code.clientId !== request.clientId || code.redirectUri !== request.redirectUri) {
    await refuse('The code was issued to another client or redirect URI.');
  }
  // A code issued with a challenge needs its verifier; one issued without takes none (a
  // verifier there would be a downgrade attempt).
  if (
    code.codeChallenge === ''
      ? request.codeVerifier !== undefined
      : request.codeVerifier === undefined
  ) {
    await refuse('The code_verifier does not fit how the code was requested.');
  }
  if (request.codeVerifier !== undefined) {
    const challenge = createHash('sha256').update(request.codeVerifier).digest('base64url');
    if (challenge !== code.codeChallenge) await refuse('The code_verifier does not match.');
  }
  // Every read before the session's write (the answer's MFA summary too, beside the user): a
  // fault after that write would answer 503 for a code already spent.
  const [user, mfa] = await Promise.all([
    deps.store.getUser(code.userId),
    userMfaSummary(deps, code.userId),
  ]);
  if (!user) return refuse('The code names no user.');
  // A reset, takeover, role change... since the code was issued voids it (credential-version.ts).
  if (credentialVersionOf(code) !== credentialVersionOf(user)) {
    return refuse('The code is invalid, used or expired.');
  }
  const client = await deps.store.getClient(code.clientId);
  if (!client) return refuse('The client no longer exists.');
  // A code from before scopes were kept gets what a request without `scope` gets.
  const scope = code.scope ?? grantScopes(deps.scopes, user.role, null, client.firstParty);
  if (!(await consentStillHolds(deps, user.id, client, scope))) {
    return refuse('The user has withdrawn this app’s access.');
  }
  // Opened at the version just checked: a move (or the client's deletion) meanwhile refuses it.
  return startSession(deps, user, code.clientId, {
    scope,
    client,
    ...(code.nonce ? { nonce: code.nonce } : {}),
    // The session inherits what opened the browser session that approved the code, and when
    // the person last authenticated there: a fresh code is no fresh sign-in (red team C, 1).
    origin: code.origin ?? 'unknown',
    authTime: code.authTime ?? 0,
    ...(code.amr ? { amr: code.amr } : {}),
    spendsAuthorizationCode: hash,
    mfa,
    meta,
  }).catch((error: unknown) => {
    if (isCredentialsMoved(error)) return refuse('The code is invalid, used or expired.');
    throw error;
  });
};
