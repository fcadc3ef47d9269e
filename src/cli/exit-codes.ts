import type { ErrorCode } from '../core/shared/errors';

/** Exit statuses scripts can rely on (docs/cli.md). */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  refused: 5,
  importFailures: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit status of each error the core reports: a new code without one is a type error. */
export const exitCodeOf = {
  record_invalid: EXIT.refused,
  token_expired: EXIT.refused,
  token_invalid: EXIT.refused,
  invalid_credentials: EXIT.refused,
  api_key_invalid: EXIT.refused,
  forbidden: EXIT.refused,
  account_pending: EXIT.refused,
  account_disabled: EXIT.refused,
  password_login_disabled: EXIT.refused,
  not_found: EXIT.notFound,
  method_not_allowed: EXIT.refused,
  conflict: EXIT.conflict,
  payload_too_large: EXIT.refused,
  unsupported_media_type: EXIT.refused,
  too_many_attempts: EXIT.refused,
  mfa_required: EXIT.refused,
  internal: EXIT.unexpected,
  unavailable: EXIT.unexpected,
} satisfies Record<ErrorCode, ExitCode>;

/** A failure of the CLI itself (bad options, an unreadable file, an unknown stack). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
