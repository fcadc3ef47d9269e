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
  | 'internal';

export class GatehouseError extends Error {
  override readonly name = 'GatehouseError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Seconds a client should wait before trying again (429 answers). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const isGatehouseError = (error: unknown): error is GatehouseError =>
  error instanceof GatehouseError;
