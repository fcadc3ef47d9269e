import pino from 'pino';

/**
 * Structured logs. Nothing secret is ever passed in, and these paths are redacted in case a
 * future change slips one through.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL || 'info',
  base: undefined,
  redact: {
    paths: [
      'password',
      '*.password',
      'refresh_token',
      '*.refresh_token',
      'access_token',
      '*.access_token',
      'authorization',
      '*.authorization',
      'headers.cookie',
      // MFA's secrets (issue 15): a token, a code, a TOTP secret, recovery codes, proofs, and
      // a WebAuthn credential (an assertion's signature is a proof until its challenge is taken).
      ...[
        'credential',
        'mfa_token',
        'code',
        'secret',
        'recovery_codes',
        'current_password',
        'new_password',
        'proof',
        'client_secret',
      ].flatMap((field) => [field, `*.${field}`]),
    ],
    censor: '[redacted]',
  },
});
