import type { ErrorCode } from '../core/shared/errors';
import type { AccessTokenClaims } from '../core/tokens/access-tokens';
import { errorStatus } from './error-status';

/**
 * What the authorizer hands the handlers, through API Gateway's authorizer context (flat
 * strings: REST contexts take no nulls, arrays or objects).
 */
export type AuthorizerContext = Record<string, string>;

export interface Principal {
  /** Empty when acting as the default owner (REQUIRE_USER_AUTHENTICATION=0). */
  userId: string;
  actingAsDefaultOwner: boolean;
  role: string;
  scopes: string[];
  sid: string;
  jti: string;
  clientId: string;
}

export const contextFromClaims = (claims: AccessTokenClaims): AuthorizerContext => ({
  principal: 'user',
  sub: claims.sub,
  role: claims.role,
  scope: claims.scope,
  sid: claims.sid,
  jti: claims.jti,
  username: claims.username ?? '',
  email: claims.email,
  user_type: claims.user_type,
  client_id: claims.client_id ?? '',
});

/** An API token's principal: no session; its id is the token id. */
export const apiTokenContext = (
  token: { userId: string; tokenId: string },
  owner: { role: string; type: string },
  scope: string,
): AuthorizerContext => ({
  principal: 'user',
  sub: token.userId,
  role: owner.role,
  scope,
  sid: '',
  jti: token.tokenId,
  username: '',
  email: '',
  user_type: owner.type,
  client_id: '',
  token_type: 'api_token',
});

export const defaultOwnerContext = (scope: string): AuthorizerContext => ({
  principal: 'default_owner',
  sub: '',
  role: 'owner',
  scope,
  sid: '',
  jti: '',
  client_id: '',
});

/** No token was sent: the handler refuses it unless the route's auth is optional. */
export const anonymousContext: AuthorizerContext = { principal: 'none' };

/** A refusal carried to the handler when the authorizer runs in deny-with-reason mode. */
export const refusalContext = (code: ErrorCode, message: string): AuthorizerContext => ({
  error_code: code,
  error_message: message,
});

export type ContextReading =
  | { kind: 'principal'; principal: Principal }
  | { kind: 'refused'; code: ErrorCode; message: string }
  | { kind: 'anonymous' };

/** What a refusal the authorizer carries may say: an authentication or authorization refusal. */
const isRefusalCode = (code: string): code is ErrorCode =>
  Object.hasOwn(errorStatus, code) &&
  (code === 'unavailable' || [401, 403].includes(errorStatus[code as ErrorCode]));

const malformed: ContextReading = {
  kind: 'refused',
  code: 'token_invalid',
  message: 'The access token could not be verified.',
};

/**
 * The authorizer's context as the handlers' one reading of it. Invariant: it fails closed: a
 * refusal, or anything that is not exactly a principal the authorizer writes (a field missing,
 * of another type, an unknown kind), is refused as token_invalid, never read as a caller; only
 * no context at all, or the anonymous marker, is anonymous.
 */
export const readContext = (context: Record<string, unknown> | undefined): ContextReading => {
  if (!context || Object.keys(context).length === 0) return { kind: 'anonymous' };
  const text = (key: string) => context[key];
  const value = (key: string) => (typeof context[key] === 'string' ? (context[key] as string) : '');
  if ('error_code' in context || 'error_message' in context) {
    const code = text('error_code');
    if (typeof code !== 'string' || !isRefusalCode(code)) return malformed;
    return {
      kind: 'refused',
      code,
      message: value('error_message') || 'The access token is invalid.',
    };
  }
  const kind = text('principal');
  if (kind === 'none' && Object.keys(context).length === 1) return { kind: 'anonymous' };
  if (kind !== 'user' && kind !== 'default_owner') return malformed;
  if (!['sub', 'role', 'scope'].every((key) => typeof text(key) === 'string')) return malformed;
  if (!Object.values(context).every((field) => typeof field === 'string')) return malformed;
  if (!value('role') || (kind === 'user' && !value('sub'))) return malformed;
  return {
    kind: 'principal',
    principal: {
      userId: value('sub'),
      actingAsDefaultOwner: kind === 'default_owner',
      role: value('role'),
      scopes: value('scope').split(' ').filter(Boolean),
      sid: value('sid'),
      jti: value('jti'),
      clientId: value('client_id'),
    },
  };
};
