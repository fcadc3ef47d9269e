import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type MetricName, SERVICE_NAME } from './metric-names';

// Undefined until first use: the namespace is read from the environment then, not at import.
let emitter: Metrics | null | undefined;

/**
 * CloudWatch EMF through Powertools where the stack set POWERTOOLS_METRICS_NAMESPACE (on AWS).
 * Off elsewhere (`npm start`, unit tests): the local server has no CloudWatch to read them.
 */
const metrics = (): Metrics | null => {
  if (emitter === undefined) {
    const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE;
    emitter = namespace ? new Metrics({ namespace, serviceName: SERVICE_NAME }) : null;
  }
  return emitter;
};

/** Counts one event of this invocation; written with the others at its end (flushMetrics). */
export const countMetric = (name: MetricName): void => {
  metrics()?.addMetric(name, MetricUnit.Count, 1);
};

/** Once per invocation, at its end: one EMF line with what it counted, none when nothing. */
export const flushMetrics = (): void => {
  const emf = metrics();
  if (emf?.hasStoredMetrics()) emf.publishStoredMetrics();
};
