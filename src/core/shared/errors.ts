/** Every failure the service reports, by contract code (../shared/API.md). */
export type ErrorCode =
  | 'record_invalid'
  | 'token_expired'
  | 'token_invalid'
  | 'invalid_credentials'
  | 'api_key_invalid'
  | 'forbidden'
  | 'account_pending'
  | 'account_disabled'
  | 'password_login_disabled'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_attempts'
  | 'internal'
  /** The right first step, and a second factor is due (MFA): the answer carries an mfa_token. */
  | 'mfa_required'
  /** A dependency (the database, a secret, an identity provider) failed or timed out. */
  | 'unavailable';

export class GatehouseError extends Error {
  override readonly name = 'GatehouseError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Seconds a client should wait before trying again (429 and 503 answers). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** How long a client waits after a 503 before trying again. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/** A dependency failed or timed out: 503 with Retry-After (API.md, Errors). */
export const unavailable = (what: string): GatehouseError =>
  new GatehouseError(
    'unavailable',
    `${what} is unavailable just now; try again shortly.`,
    UNAVAILABLE_RETRY_SECONDS,
  );

export const isGatehouseError = (error: unknown): error is GatehouseError =>
  error instanceof GatehouseError;
