import type { AuditEvent } from '../audit/audit';
import type { ActivityCounts } from './metrics';

/**
 * Refusals that ask for a next step rather than fail: a right first step of an account with a
 * factor (counted as an MFA challenge where the challenge is issued) and a federated login
 * waiting for the link's confirmation.
 */
const NOT_FAILURES = new Set(['mfa_required', 'link_confirmation_needed']);

/**
 * What an audit event adds to the dashboard's counters. Successful sign-ins and MFA challenges
 * are counted where the session or the challenge is made (startSession, requireSecondFactor),
 * not from events, so a path that audits its success twice or not at all still counts once.
 */
export const activityOfAuditEvent = (event: AuditEvent): ActivityCounts => {
  if (event.action === 'user.create' || event.action === 'sso.account_create') {
    return { new_users: 1 };
  }
  if (event.outcome !== 'failure') return {};
  // A lock BEGINS with the failure that reached it (sign-in.ts and mfa-challenge.ts write
  // lock_seconds), not with each attempt refused while it holds.
  const lockBegins = typeof event.detail.lock_seconds === 'number' && event.detail.lock_seconds > 0;
  // A wrong MFA code is no failed sign-in (the password was right), but its lock is a lockout.
  if (event.action === 'mfa.challenge') return lockBegins ? { lockouts: 1 } : {};
  if (event.action !== 'auth.sign_in') return {};
  const reason = event.detail.reason;
  if (typeof reason === 'string' && NOT_FAILURES.has(reason)) return {};
  return lockBegins ? { failed_sign_ins: 1, lockouts: 1 } : { failed_sign_ins: 1 };
};
