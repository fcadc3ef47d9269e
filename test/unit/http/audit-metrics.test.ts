import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/audit/audit';
import { metricsOfAudit } from '../../../src/http/audit-metrics';

const event = (
  action: string,
  outcome: AuditEvent['outcome'],
  detail: AuditEvent['detail'] = {},
): AuditEvent => ({
  id: 'e1',
  at: '2026-01-01T00:00:00.000Z',
  actor_id: null,
  actor_token_id: null,
  action,
  target_id: null,
  ip: null,
  user_agent: null,
  outcome,
  detail,
});

describe('metricsOfAudit', () => {
  it.each([
    [event('auth.sign_in', 'success', { method: 'password' }), ['SignIns']],
    [event('auth.sign_in', 'success', { method: 'sso' }), ['SignIns']],
    [event('auth.sign_in', 'failure', { reason: 'invalid_credentials' }), ['SignInFailures']],
    [
      event('auth.sign_in', 'failure', { reason: 'too_many_attempts' }),
      ['SignInFailures', 'Lockouts'],
    ],
    // The right password of an account with a factor: a challenge, not a failure.
    [event('auth.sign_in', 'failure', { reason: 'mfa_required' }), ['MfaChallenges']],
    [event('mfa.challenge', 'failure', { reason: 'code_invalid' }), ['MfaFailures']],
    [
      event('mfa.challenge', 'failure', { reason: 'too_many_attempts' }),
      ['MfaFailures', 'Lockouts'],
    ],
    [event('mfa.challenge', 'success'), []],
    [event('auth.sign_out', 'success'), []],
    [event('user.create', 'success'), []],
  ])('%o counts as %o', (audited, metrics) => {
    expect(metricsOfAudit(audited)).toEqual(metrics);
  });
});
