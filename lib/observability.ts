import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  type AlarmProps,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, type MetricName, SERVICE_NAME } from '../src/http/metric-names';
import { encryptedTopic } from './topics';

export interface ObservabilityProps {
  httpApi: HttpApi;
  /** Every function of the stack by construct id (the mailer included when there is one). */
  functions: Record<string, LambdaFunction>;
  /** The one behind every protected route: its errors are 500s for every caller. */
  authorizer: LambdaFunction;
  topicKey: Key;
  /** Subscribed to the alarm topic (it must confirm the subscription mail). */
  alarmEmail?: string | undefined;
}

const period = Duration.minutes(5);

/** The thresholds, each one decision (docs/aws.md "Logs, metrics and alarms" says why). */
export const alarmThresholds = {
  /** Share of the API's requests answered 5xx in five minutes... */
  serverErrorRate: 0.05,
  /** ...counted only from this many requests: 1 failure of 2 is no outage. */
  serverErrorMinRequests: 20,
  /** Throttled invocations of one function in five minutes. */
  throttles: 1,
  /** Authorizer invocations that failed (each is a 500 to its caller) in five minutes. */
  authorizerErrors: 3,
  /** Sign-in attempts refused by a lock in five minutes: a guessing campaign. */
  lockouts: 20,
} as const;

/** A Gatehouse metric (EMF from the handlers: src/http/metrics.ts), summed per period. */
export const gatehouseMetric = (name: MetricName) =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: 'Sum',
    period,
  });

/**
 * The stack's alarms (to one KMS-encrypted topic) and its dashboard, and the Powertools
 * settings every function reads to write its metrics.
 */
export class GatehouseObservability extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    for (const fn of Object.values(props.functions)) {
      fn.addEnvironment('POWERTOOLS_METRICS_NAMESPACE', METRICS_NAMESPACE);
      fn.addEnvironment('POWERTOOLS_SERVICE_NAME', SERVICE_NAME);
    }

    this.alarmTopic = encryptedTopic(this, 'AlarmTopic', props.topicKey, 'Gatehouse alarms');
    // Confused deputy: CloudWatch publishes here for this account's alarms only.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const notify = new SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, build: Omit<AlarmProps, 'evaluationPeriods'>) => {
      const made = new Alarm(this, alarmId, {
        treatMissingData: TreatMissingData.NOT_BREACHING,
        evaluationPeriods: 1,
        ...build,
      });
      made.addAlarmAction(notify);
      made.addOkAction(notify);
      this.alarms.push(made);
      return made;
    };

    const { httpApi } = props;
    const requests = httpApi.metricCount({ period, statistic: 'Sum' });
    const serverErrors = httpApi.metricServerError({ period, statistic: 'Sum' });
    alarm('ServerErrorRate', {
      alarmDescription: `More than ${alarmThresholds.serverErrorRate * 100}% of the API's requests answered 5xx in 5 minutes (from ${alarmThresholds.serverErrorMinRequests} requests).`,
      metric: new MathExpression({
        expression: `IF(requests >= ${alarmThresholds.serverErrorMinRequests}, errors / requests, 0)`,
        usingMetrics: { requests, errors: serverErrors },
        label: '5xx share of requests',
        period,
      }),
      threshold: alarmThresholds.serverErrorRate,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`Throttles${name}`, {
        alarmDescription: `Lambda throttled the ${name} function: its callers got 429 or 500.`,
        metric: fn.metricThrottles({ period, statistic: 'Sum' }),
        threshold: alarmThresholds.throttles,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }

    alarm('AuthorizerErrors', {
      alarmDescription:
        'The authorizer failed: every protected route answered 500 for those requests.',
      metric: props.authorizer.metricErrors({ period, statistic: 'Sum' }),
      threshold: alarmThresholds.authorizerErrors,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    alarm('LockoutSpike', {
      alarmDescription: 'Many sign-in attempts refused by a lockout: a password-guessing campaign?',
      metric: gatehouseMetric('Lockouts'),
      threshold: alarmThresholds.lockouts,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: stack.stackName,
      defaultInterval: Duration.hours(3),
    });
    const perFunction = (measure: (fn: LambdaFunction) => Metric) =>
      Object.entries(props.functions).map(([name, fn]) => measure(fn).with({ label: name }));
    const graph = (title: string, left: Metric[] | MathExpression[], width = 12) =>
      new GraphWidget({ title, left, width, height: 6 });
    this.dashboard.addWidgets(
      graph(
        'Sign-ins',
        (['SignIns', 'SignInFailures', 'Lockouts', 'MfaChallenges', 'MfaFailures'] as const).map(
          gatehouseMetric,
        ),
      ),
      graph('Authorizer decisions', [
        gatehouseMetric('AuthorizerAllow'),
        gatehouseMetric('AuthorizerDeny'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('API requests and 5xx', [
        requests.with({ label: 'Requests' }),
        serverErrors.with({ label: '5xx (gateway)' }),
        gatehouseMetric('Http5xx').with({ label: '5xx (handlers)' }),
        gatehouseMetric('AuditWriteFailures'),
      ]),
      graph(
        'Throttles per function',
        perFunction((fn) => fn.metricThrottles({ period, statistic: 'Sum' })),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Latency p50 per function (ms)',
        perFunction((fn) => fn.metricDuration({ period, statistic: 'p50' })),
      ),
      graph(
        'Latency p99 per function (ms)',
        perFunction((fn) => fn.metricDuration({ period, statistic: 'p99' })),
      ),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }
}
