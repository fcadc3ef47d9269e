import pino from 'pino';
import { invocationFields } from './log-context';
import { SERVICE_NAME } from './metric-names';

/** Fields that hold a secret (or, as a request's body, cookies or headers, may hold one). */
const SECRET_FIELDS = [
  'password',
  'refresh_token',
  'access_token',
  'authorization',
  'cookie',
  'cookies',
  'x-api-key',
  // MFA's secrets (issue 15): a token, a code, a TOTP secret, recovery codes, proofs, and
  // a WebAuthn credential (an assertion's signature is a proof until its challenge is taken).
  'credential',
  'mfa_token',
  'code',
  'secret',
  'recovery_codes',
  'current_password',
  'new_password',
  'proof',
  'client_secret',
  // A request's raw body (a JSON or form string) cannot be redacted field by field.
  'body',
];

/**
 * Structured JSON logs, shaped as Powertools Logger's (level, message, timestamp, service,
 * and per invocation the function, request and correlation ids and cold_start: log-context.ts).
 * Nothing secret is ever passed in, and these paths are redacted in case a future change
 * slips one through.
 */
export const logger = pino(
  {
    level: process.env.LOG_LEVEL || 'info',
    base: { service: SERVICE_NAME },
    messageKey: 'message',
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    mixin: () => ({ ...invocationFields() }),
    redact: {
      // At the top, and one or two objects down (an event's headers, say).
      paths: SECRET_FIELDS.flatMap((field) => {
        const step = /^\w+$/.test(field) ? `.${field}` : `["${field}"]`;
        return [step.replace(/^\./, ''), `*${step}`, `*.*${step}`];
      }),
      censor: '[redacted]',
    },
  },
  // Lambda reads stdout; a stream (not pino's own fd writer) keeps it one ordered output.
  process.stdout,
);
