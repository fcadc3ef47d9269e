import type { AuditEvent } from '../core/audit/audit';
import type { Store } from '../core/shared/store';
import type { MetricName } from './metric-names';
import { countMetric } from './metrics';

/**
 * The one place that decides which audited event counts as which metric: the core writes
 * audit events and knows nothing of metrics.
 */
export const metricsOfAudit = (event: AuditEvent): MetricName[] => {
  const reason = event.detail.reason;
  const locked = reason === 'too_many_attempts' ? (['Lockouts'] as const) : [];
  if (event.action === 'auth.sign_in') {
    if (event.outcome === 'success') return ['SignIns'];
    // A right first step of an account with a factor: a challenge asked, not a failure.
    if (reason === 'mfa_required') return ['MfaChallenges'];
    return ['SignInFailures', ...locked];
  }
  if (event.action === 'mfa.challenge' && event.outcome === 'failure') {
    return ['MfaFailures', ...locked];
  }
  return [];
};

const countAudit = (event: AuditEvent) => {
  for (const name of metricsOfAudit(event)) countMetric(name);
};

/**
 * The store with every audit write counted: the events recorded alone, and a sign-in's
 * success, which only counts once its session's transaction (which carries it) has committed.
 */
export const meteredStore = (store: Store): Store =>
  Object.assign(Object.create(store) as Store, {
    writeAuditEvent: (event: AuditEvent, expiresAt: number) => {
      // The event happened whether or not its write succeeds (a lost write counts apart).
      countAudit(event);
      return store.writeAuditEvent(event, expiresAt);
    },
    createSession: async (...args: Parameters<Store['createSession']>) => {
      await store.createSession(...args);
      if (args[2]?.audit) countAudit(args[2].audit.event);
    },
  } satisfies Partial<Store>);
