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
    ],
    censor: '[redacted]',
  },
});
