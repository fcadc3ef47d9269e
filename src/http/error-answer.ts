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

/**
 * A second factor is due (sign-in, password grant, refresh or step-up): the `mfa_token` and
 * the `factors` beside the error, in the route's dialect (API.md, MFA). Pages render their own.
 */
const mfaRequiredAnswer = (dialect: 'json' | 'oauth', error: MfaRequiredError): HttpResult => {
  const finish = { mfa_token: error.mfaToken, factors: error.factors };
  return dialect === 'oauth'
    ? json(403, { error: 'mfa_required', error_description: error.message, ...finish })
    : json(403, { error: { code: error.code, message: error.message }, ...finish });
};

/** Any error in the route's dialect; null for an unexpected one (the caller logs it). */
export const errorAnswer = (dialect: ErrorDialect, error: unknown): HttpResult | null => {
  if (error instanceof RouteNotServed) {
    return unknownRoute(error.method, error.path);
  }
  if (error instanceof MfaRequiredError && dialect !== 'html') {
    return mfaRequiredAnswer(dialect, error);
  }
  switch (dialect) {
    case 'oauth':
      if (error instanceof OAuthProtocolError) return fromOAuthProtocolError(error);
      return expected(error) ? oauthError(error) : null;
    case 'html':
      if (error instanceof Redirect) return error.result;
      return expected(error) ? pageRefusal(error) : null;
    case 'json':
      return expected(error) ? fromGatehouseError(error) : null;
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
