import type { ErrorCode } from '../core/shared/errors';

/** The one place an error code becomes an HTTP status (../shared/API.md, Errors). */
export const errorStatus = {
  record_invalid: 400,
  token_expired: 401,
  token_invalid: 401,
  invalid_credentials: 401,
  api_key_invalid: 403,
  forbidden: 403,
  account_pending: 403,
  account_disabled: 403,
  password_login_disabled: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_attempts: 429,
  mfa_required: 403,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<ErrorCode, number>;
