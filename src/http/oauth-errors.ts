import type { ErrorCode, GatehouseError } from '../core/shared/errors';
import type { HttpResult } from './responses';
import { json } from './responses';

/**
 * `/oauth/*` answers errors as RFC 6749 (and RFC 6750 for a bad bearer) say, because OAuth
 * client libraries parse that shape, not the contract's.
 */
const OAUTH_ERRORS: Record<ErrorCode, { status: number; error: string }> = {
  record_invalid: { status: 400, error: 'invalid_request' },
  unsupported_media_type: { status: 400, error: 'invalid_request' },
  payload_too_large: { status: 413, error: 'invalid_request' },
  token_expired: { status: 401, error: 'invalid_token' },
  token_invalid: { status: 401, error: 'invalid_token' },
  invalid_credentials: { status: 400, error: 'invalid_grant' },
  api_key_invalid: { status: 401, error: 'invalid_client' },
  forbidden: { status: 403, error: 'insufficient_scope' },
  account_pending: { status: 400, error: 'invalid_grant' },
  account_disabled: { status: 400, error: 'invalid_grant' },
  password_login_disabled: { status: 400, error: 'unsupported_grant_type' },
  not_found: { status: 404, error: 'invalid_request' },
  method_not_allowed: { status: 405, error: 'invalid_request' },
  conflict: { status: 409, error: 'invalid_request' },
  too_many_attempts: { status: 400, error: 'invalid_grant' },
  mfa_required: { status: 403, error: 'mfa_required' },
  internal: { status: 500, error: 'server_error' },
  unavailable: { status: 503, error: 'temporarily_unavailable' },
};

export const oauthError = (error: GatehouseError): HttpResult => {
  const { status, error: code } = OAUTH_ERRORS[error.code];
  const challenge =
    code === 'invalid_client' ? 'Basic realm="gatehouse"' : `Bearer error="${code}"`;
  const headers: Record<string, string> = status === 401 ? { 'www-authenticate': challenge } : {};
  if (error.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(error.retryAfterSeconds);
  return json(status, { error: code, error_description: error.message }, headers);
};

export const oauthServerError = (): HttpResult =>
  json(500, { error: 'server_error', error_description: 'Something went wrong on our side.' });

/** An RFC 6749 error with no contract counterpart (unsupported_grant_type, …). */
export class OAuthProtocolError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

export const fromOAuthProtocolError = (error: OAuthProtocolError): HttpResult =>
  json(error.status, { error: error.error, error_description: error.description });
