import { MfaRequiredError } from '../core/mfa/second-factor-gate';
import { type GatehouseError, isGatehouseError } from '../core/shared/errors';
import type { Html } from '../web/html';
import { errorPage } from '../web/layout';
import { page, Redirect } from '../web/page-handler';
import { errorStatus } from './error-status';
import { RouteNotServed } from './middleware/route';
import {
  fromOAuthProtocolError,
  OAuthProtocolError,
  oauthError,
  oauthServerError,
} from './oauth-errors';
import { preflight } from './preflight';
import { errorResult, fromGatehouseError, type HttpResult, json } from './responses';
import { unknownRoute } from './unknown-route';

/** How a route speaks: the contract's JSON, RFC 6749 on `/oauth/*`, or HTML on pages. */
export type ErrorDialect = 'json' | 'oauth' | 'html';

const SERVER_ERROR = 'Something went wrong on our side.';

const retryAfter = (error: GatehouseError): Record<string, string> =>
  error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };

/**
 * A refusal as a page: the contract's status for its code, `Retry-After` when it has one.
 * `body` is the page to show, by default an error page; a form re-rendered with the message
 * passes its own.
 */
export const pageRefusal = (
  error: GatehouseError,
  body: Html = errorPage(error.message),
  options: { formActionOrigins?: string[] } = {},
): HttpResult => {
  const result = page(errorStatus[error.code], body, options);
  return { ...result, headers: { ...result.headers, ...retryAfter(error) } };
};

const expected = (error: unknown): error is GatehouseError =>
  isGatehouseError(error) && error.code !== 'internal';

/** The contract's error body; 403 `mfa_required` also names `mfa_token` and `factors` (API.md, MFA). */
const contractError = (error: GatehouseError): HttpResult => {
  if (!(error instanceof MfaRequiredError)) return fromGatehouseError(error);
  const { statusCode, headers } = fromGatehouseError(error);
  return json(
    statusCode,
    {
      error: { code: error.code, message: error.message },
      mfa_token: error.mfaToken,
      factors: error.factors,
    },
    headers,
  );
};

/** Any error in the route's dialect; null for an unexpected one (the caller logs it). */
export const errorAnswer = (dialect: ErrorDialect, error: unknown): HttpResult | null => {
  if (error instanceof RouteNotServed) {
    const answer = error.method === 'OPTIONS' ? preflight(error.path, error.origin) : null;
    return answer ?? unknownRoute(error.method, error.path);
  }
  switch (dialect) {
    case 'oauth':
      if (error instanceof OAuthProtocolError) return fromOAuthProtocolError(error);
      return expected(error) ? oauthError(error) : null;
    case 'html':
      if (error instanceof Redirect) return error.result;
      return expected(error) ? pageRefusal(error) : null;
    case 'json':
      return expected(error) ? contractError(error) : null;
  }
};

/** An unexpected failure: nothing of it is told. */
export const serverErrorAnswer = (dialect: ErrorDialect): HttpResult => {
  switch (dialect) {
    case 'oauth':
      return oauthServerError();
    case 'html':
      return page(500, errorPage(SERVER_ERROR));
    case 'json':
      return errorResult('internal', SERVER_ERROR);
  }
};
