import type { ErrorCode } from '../core/shared/errors';
import { errorStatus } from './error-status';
import { type ErrorAnswer, routeErrors } from './route-errors';
import { type Route, speaksOAuth } from './routes';

/** API.md, MFA: beside `error` when it is `mfa_required`, how to finish with a factor. */
const MfaFinish = {
  mfa_token: { type: 'string', description: 'With mfa_required: opaque, 300 s, single use.' },
  factors: {
    type: 'array',
    description: 'With mfa_required: the factors the user may verify.',
    items: {
      type: 'object',
      required: ['factor_id', 'type'],
      properties: { factor_id: { type: 'string' }, type: { type: 'string' } },
    },
  },
};

/** ../shared/API.md, Errors: every error outside `/oauth/*`. */
const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(errorStatus) as ErrorCode[] },
        message: { type: 'string' },
      },
    },
    ...MfaFinish,
  },
};

/** RFC 6749 §5.2: every error of `/oauth/*`. */
const OAuthErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string' },
    error_description: { type: 'string' },
    ...MfaFinish,
  },
};

/** API Gateway's own answer when the stage's throttle (lib/api.ts) turns a request away. */
const ThrottledBody = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' } },
};

const RetryAfter = {
  description: 'Seconds to wait before trying again.',
  schema: { type: 'integer', minimum: 0 },
};

/** The schemas and headers the error responses refer to. */
export const errorComponents = {
  schemas: { Error: ErrorBody, OAuthError: OAuthErrorBody, Throttled: ThrottledBody },
  headers: { RetryAfter },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The route's error schema, its code narrowed (OpenAPI 3.1 allows $ref siblings) to `codes`. */
const errorSchema = (route: Route, codes?: readonly string[]) => {
  if (speaksOAuth(route)) {
    return codes
      ? { ...ref('OAuthError'), properties: { error: { enum: codes } } }
      : ref('OAuthError');
  }
  return codes
    ? { ...ref('Error'), properties: { error: { properties: { code: { enum: codes } } } } }
    : ref('Error');
};

const listed = (codes: readonly string[]) => codes.map((code) => `\`${code}\``).join(', ');

const errorResponse = (route: Route, { codes }: ErrorAnswer) => ({
  description: listed(codes),
  content: { 'application/json': { schema: errorSchema(route, codes) } },
});

/** Every route sits behind the stage's throttle; a route's own 429 carries `Retry-After`. */
const tooManyRequests = (route: Route, own: ErrorAnswer | undefined) => ({
  description: own ? `${listed(own.codes)}, or the API's throttle` : "The API's throttle",
  ...(own ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
  content: {
    'application/json': {
      schema: own ? { oneOf: [errorSchema(route, own.codes), ref('Throttled')] } : ref('Throttled'),
    },
  },
});

/**
 * An operation's error responses: each status the route can answer with the codes it carries,
 * in the route's dialect (the contract's JSON, or RFC 6749 on `/oauth/*`), and a default.
 */
export const errorResponses = (route: Route) => {
  const answers = routeErrors(route);
  const responses: Record<string, unknown> = {};
  for (const answer of answers) {
    if (answer.status !== 429) responses[answer.status] = errorResponse(route, answer);
  }
  responses[429] = tooManyRequests(
    route,
    answers.find((answer) => answer.status === 429),
  );
  responses.default = {
    description: 'Any other error',
    content: { 'application/json': { schema: errorSchema(route) } },
  };
  return responses;
};
