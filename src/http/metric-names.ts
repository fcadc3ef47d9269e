/**
 * The service's metrics, decided once: the handlers count them (metrics.ts), the stack sets
 * the namespace and service on every function and builds its alarms and dashboard on them
 * (lib/observability.ts).
 */
export const METRICS_NAMESPACE = 'Gatehouse';

/** The one dimension (Powertools' `service`): constant, so a metric is one series, not many. */
export const SERVICE_NAME = 'gatehouse';

export const METRIC_NAMES = [
  'SignIns',
  'SignInFailures',
  'Lockouts',
  'MfaChallenges',
  'MfaFailures',
  'AuthorizerAllow',
  'AuthorizerDeny',
  'Http5xx',
  'AuditWriteFailures',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];
