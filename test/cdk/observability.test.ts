import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmThresholds } from '../../lib/observability';
import { METRIC_NAMES } from '../../src/http/metric-names';
import {
  lambdaProperties,
  type Resource,
  resources,
  type Synthesized,
  synthGatehouse,
} from './synth';

/** The alarms, metrics, topic and dashboard, from one synthesis (no bundling: none is read). */
let synth: Synthesized;
let all: Record<string, Resource>;
const id = { topic: '', key: '', api: '', authorizer: '' };
const functionIds: Record<string, string> = {};

beforeAll(() => {
  synth = synthGatehouse(
    { emailFrom: 'no-reply@example.com', alarmEmail: 'oncall@example.com' },
    () => {},
    { 'aws:cdk:bundling-stacks': [] },
  );
  const { stack, logicalId } = synth;
  all = resources(synth.template);
  id.topic = logicalId(stack.observability.alarmTopic);
  id.api = logicalId(stack.api.httpApi);
  id.authorizer = logicalId(stack.functions.byName.authorizer);
  for (const [name, fn] of Object.entries(stack.functions.byName))
    functionIds[name] = logicalId(fn);
  if (stack.functions.mailer) functionIds.mailer = logicalId(stack.functions.mailer);
});
afterAll(() => synth.cleanUp());

const alarms = () =>
  Object.entries(all)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([, r]) => r.Properties as Record<string, unknown>);

describe('alarms', () => {
  it('each notifies the alarm topic, firing and clearing, and stays quiet without data', () => {
    expect(alarms().length).toBe(3 + Object.keys(functionIds).length);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([{ Ref: id.topic }]);
      expect(alarm.OKActions).toEqual([{ Ref: id.topic }]);
      expect(alarm.TreatMissingData).toBe('notBreaching');
      expect(alarm.EvaluationPeriods).toBe(1);
    }
  });

  it("5xx rate: the API's 5xx over its requests in 5 minutes, from 20 requests, above 5%", () => {
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: alarmThresholds.serverErrorRate,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: 'IF(requests >= 20, errors / requests, 0)',
          ReturnData: true,
        }),
        {
          Id: 'requests',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApiGateway',
              MetricName: 'Count',
              Dimensions: [{ Name: 'ApiId', Value: { Ref: id.api } }],
            },
            Period: 300,
            Stat: 'Sum',
          },
        },
        {
          Id: 'errors',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApiGateway',
              MetricName: '5xx',
              Dimensions: [{ Name: 'ApiId', Value: { Ref: id.api } }],
            },
            Period: 300,
            Stat: 'Sum',
          },
        },
      ]),
    });
  });

  it('throttles: one alarm per function (the mailer too), at the first throttle in 5 minutes', () => {
    const throttles = alarms().filter((alarm) => alarm.MetricName === 'Throttles');
    const throttled = throttles.map(
      (alarm) => (alarm.Dimensions as { Value: { Ref: string } }[])[0]?.Value.Ref,
    );
    expect(throttled.sort()).toEqual(Object.values(functionIds).sort());
    for (const alarm of throttles) {
      expect(alarm).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it("authorizer errors: the authorizer function's errors, 3 in 5 minutes", () => {
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id.authorizer } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: alarmThresholds.authorizerErrors,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('lockout spike: the Lockouts EMF metric, 20 in 5 minutes', () => {
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Gatehouse',
      MetricName: 'Lockouts',
      Dimensions: [{ Name: 'service', Value: 'gatehouse' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: alarmThresholds.lockouts,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('the alarm topic', () => {
  it('is encrypted with a rotated key, TLS only, published to by CloudWatch for this account', () => {
    const topic = all[id.topic]?.Properties as { KmsMasterKeyId: { 'Fn::GetAtt': string[] } };
    const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    expect(all[keyId]?.Properties).toMatchObject({ EnableKeyRotation: true });
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: id.topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
    synth.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: ['cloudwatch.amazonaws.com', 'ses.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('mails the alarmEmail context address, and is an output beside the dashboard name', () => {
    synth.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: id.topic },
    });
    const outputs = synth.template.toJSON().Outputs;
    expect(outputs.AlarmTopicArn.Value).toEqual({ Ref: id.topic });
    expect(outputs.DashboardName.Value).toEqual({ Ref: expect.any(String) });
  });
});

describe('metrics settings', () => {
  it('every function writes EMF in the Gatehouse namespace as the gatehouse service', () => {
    for (const logical of Object.values(functionIds)) {
      const variables = lambdaProperties(synth.template, logical).Environment.Variables;
      expect(variables).toMatchObject({
        POWERTOOLS_METRICS_NAMESPACE: 'Gatehouse',
        POWERTOOLS_SERVICE_NAME: 'gatehouse',
      });
    }
  });
});

describe('the dashboard', () => {
  /** The dashboard's JSON body, with each CloudFormation reference as `{ref}`. */
  const body = () => {
    const dashboard = Object.values(all).find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    if (!dashboard?.Properties) throw new Error('no dashboard');
    const joined = (dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })[
      'Fn::Join'
    ][1]
      .map((part) => (typeof part === 'string' ? part : '{ref}'))
      .join('');
    return JSON.parse(joined) as {
      widgets: { type: string; properties: { title: string; metrics?: unknown[][] } }[];
    };
  };
  const widget = (title: string) => {
    const found = body().widgets.find((w) => w.properties.title === title);
    if (!found) throw new Error(`no widget ${title}`);
    return found.properties;
  };
  const names = (metrics: unknown[][] | undefined) =>
    (metrics ?? []).map((metric) => metric.filter((part) => typeof part === 'string').join(' '));

  it('has the sign-ins, authorizer, 5xx, latency, throttles and alarm widgets', () => {
    expect(body().widgets.map((w) => w.properties.title)).toEqual([
      'Sign-ins',
      'Authorizer decisions',
      'API requests and 5xx',
      'Throttles per function',
      'Latency p50 per function (ms)',
      'Latency p99 per function (ms)',
      'Alarms',
    ]);
  });

  it('graphs each Gatehouse metric', () => {
    const graphed = [
      ...names(widget('Sign-ins').metrics),
      ...names(widget('Authorizer decisions').metrics),
      ...names(widget('API requests and 5xx').metrics),
    ].join('\n');
    for (const name of METRIC_NAMES)
      expect(graphed).toContain(`Gatehouse ${name} service gatehouse`);
    expect(graphed).toContain('AWS/ApiGateway Count ApiId');
    expect(graphed).toContain('AWS/ApiGateway 5xx ApiId');
  });

  it('graphs latency p50 and p99 and throttles for every function', () => {
    const count = Object.keys(functionIds).length;
    for (const [title, stat] of [
      ['Latency p50 per function (ms)', 'p50'],
      ['Latency p99 per function (ms)', 'p99'],
    ] as const) {
      const metrics = widget(title).metrics ?? [];
      expect(metrics).toHaveLength(count);
      for (const metric of metrics) {
        expect(metric.slice(0, 2)).toEqual(['AWS/Lambda', 'Duration']);
        expect(metric.at(-1)).toMatchObject({ stat });
      }
    }
    expect(widget('Throttles per function').metrics).toHaveLength(count);
  });

  it('shows the state of every alarm', () => {
    expect((widget('Alarms') as unknown as { alarms: unknown[] }).alarms).toHaveLength(
      alarms().length,
    );
  });
});
