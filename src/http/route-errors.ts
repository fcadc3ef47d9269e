import { type ErrorCode, GatehouseError } from '../core/shared/errors';
import { errorStatus } from './error-status';
import { oauthError } from './oauth-errors';
import type { HttpResult } from './responses';
import { type OAuthProtocolErrorName, type Route, speaksOAuth } from './routes';

/** One status a route may answer with an error, and the codes it answers under it. */
export interface ErrorAnswer {
  status: number;
  codes: readonly string[];
}

const PATH_PARAMETER = /\{\w+\}/;

// REQUIRE_API_KEY: every function but discovery, which JWT libraries call with no key.
const takesApiKey = (route: Route) => route.function !== 'discovery';

/** Contract codes the route's fields imply, then its own extras; `internal` is everyone's. */
const contractCodes = (route: Route): ErrorCode[] => {
  const codes: ErrorCode[] = [];
  // `/oauth/*` refuses the key in its own shape (oauthAnswers).
  if (takesApiKey(route) && !speaksOAuth(route)) codes.push('api_key_invalid');
  if (route.auth !== 'public') codes.push('token_invalid', 'token_expired');
  if (route.scope) codes.push('forbidden');
  if (route.body || route.form || route.query) codes.push('record_invalid');
  if (route.body || route.form) codes.push('payload_too_large', 'unsupported_media_type');
  // A path parameter names a record, which may not exist or not be the caller's to see.
  if (PATH_PARAMETER.test(route.path)) codes.push('not_found');
  codes.push(...(route.errors ?? []), 'internal');
  return codes;
};

const contractAnswers = (route: Route) =>
  contractCodes(route).map((code) => ({ status: errorStatus[code], code }));

/** Status and `error` of an RFC 6749 answer, as the one OAuth renderer makes it. */
const oauthAnswer = (result: HttpResult) => ({
  status: result.statusCode,
  code: (JSON.parse(result.body ?? '{}') as { error: string }).error,
});

/** 400, as RFC 6749 §5.2 says; RFC 7662 §2.1 has a bearer without the scope get 401. */
const oauthOnlyStatus = (name: OAuthProtocolErrorName) =>
  name === 'insufficient_scope' ? 401 : 400;

/** RFC 6749's shape: the contract codes as `/oauth/*` renders them, then its own errors. */
const oauthAnswers = (route: Route) => [
  // The handler answers a missing or unknown x-api-key on `/oauth/*` so.
  ...(takesApiKey(route) ? [{ status: 403, code: 'invalid_client' }] : []),
  ...contractCodes(route).map((code) => oauthAnswer(oauthError(new GatehouseError(code, '')))),
  ...(route.oauthErrors ?? []).map((code) => ({ status: oauthOnlyStatus(code), code })),
];

/**
 * Every error status the route can answer, lowest first, each with its codes: what the
 * OpenAPI document lists per operation, so client generators know each answer's shape.
 */
export const routeErrors = (route: Route): ErrorAnswer[] => {
  const byStatus = new Map<number, Set<string>>();
  for (const { status, code } of speaksOAuth(route)
    ? oauthAnswers(route)
    : contractAnswers(route)) {
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  return [...byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, codes]) => ({ status, codes: [...codes] }));
};
