import { App, Aspects, type CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { type EmailProps, grantSendEmail, type SesSender, sesSender } from '../../lib/email';
import { GatehouseStack, type GatehouseStackProps } from '../../lib/gatehouse-stack';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../../src/http/functions';
import { lambdaProperties, roleStatements } from './synth';

const account = '111122223333';
const region = 'eu-west-1';
const noBundling = { 'aws:cdk:bundling-stacks': [] };
/** An SES ARN in the test stack's account and region (the partition stays a parameter). */
const sesArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ses:${region}:${account}:${resource}`]],
});

/** A bare function with its own role in a stack of a known account and region. */
const bareFunction = (sender: SesSender, nag = false) => {
  const app = new App({ context: noBundling });
  if (nag) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const stack = new Stack(app, 'Mail', { env: { account, region } });
  const role = new Role(stack, 'Role', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
  });
  const fn = new LambdaFunction(stack, 'Fn', {
    code: Code.fromInline('export const handler = async () => {};'),
    handler: 'index.handler',
    runtime: Runtime.NODEJS_22_X,
    role,
  });
  grantSendEmail(fn, sender);
  const template = Template.fromStack(stack);
  const roleId = stack.getLogicalId(role.node.defaultChild as CfnElement);
  const fnId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
  return {
    stack,
    role,
    statements: roleStatements(template, roleId).map(({ Effect, Action, Resource, Condition }) => ({
      Effect,
      Action,
      Resource,
      Condition,
    })),
    variables: lambdaProperties(template, fnId).Environment.Variables,
  };
};

describe('grantSendEmail', () => {
  it('allows SendEmail on the identity and configuration set alone, and sets both', () => {
    const { statements, variables } = bareFunction({
      from: 'Gatehouse <no-reply@example.com>',
      identity: 'example.com',
      configurationSet: 'gatehouse',
    });
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        Resource: [sesArn('identity/example.com'), sesArn('configuration-set/gatehouse')],
        // A domain identity, yet only the sender's own address may be the From.
        Condition: { StringEquals: { 'ses:FromAddress': 'no-reply@example.com' } },
      },
    ]);
    expect(variables).toEqual({
      EMAIL_FROM: 'Gatehouse <no-reply@example.com>',
      SES_CONFIGURATION_SET: 'gatehouse',
    });
  });

  it('without a configuration set: the identity only, no SES_CONFIGURATION_SET', () => {
    const { statements, variables } = bareFunction({
      from: 'no-reply@example.com',
      identity: 'no-reply@example.com',
    });
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'ses:SendEmail',
        Resource: sesArn('identity/no-reply@example.com'),
        Condition: { StringEquals: { 'ses:FromAddress': 'no-reply@example.com' } },
      }),
    ]);
    expect(variables).toEqual({ EMAIL_FROM: 'no-reply@example.com' });
  });

  it('raises no cdk-nag finding on the role it extends', () => {
    const { stack, role } = bareFunction(
      { from: 'a@example.com', identity: 'example.com', configurationSet: 'gatehouse' },
      true,
    );
    const rule = Match.stringLikeRegexp('AwsSolutions-.*');
    const findings = [
      ...Annotations.fromStack(stack).findError('*', rule),
      ...Annotations.fromStack(stack).findWarning('*', rule),
    ].map((finding) => `${finding.id}: ${String(finding.entry.data)}`);
    // The checks ran (the bare function's runtime is a finding of its own)...
    expect(findings.length).toBeGreaterThan(0);
    // ...and found nothing on the role and its policy.
    expect(findings.filter((finding) => finding.startsWith(`/${role.node.path}/`))).toEqual([]);
  });
});

describe('sesSender', () => {
  it('is undefined without emailFrom', () => {
    expect(sesSender({})).toBeUndefined();
  });

  it.each([
    [{ emailFrom: 'Gatehouse <no-reply@example.com>' }, 'example.com'],
    [{ emailFrom: 'no-reply@Mail.Example.com' }, 'mail.example.com'],
    [{ emailFrom: 'a@mail.example.com', sesIdentity: 'example.com' }, 'example.com'],
    [
      { emailFrom: '"Ops, Gatehouse" <ops@example.com>', sesIdentity: 'ops@example.com' },
      'ops@example.com',
    ],
  ] as [EmailProps, string][])('takes %j as identity %s', (props, identity) => {
    expect(sesSender(props)).toEqual({ from: props.emailFrom, identity });
  });

  it.each([
    [{ emailFrom: 'not an address' }, /emailFrom must be an address/],
    [{ emailFrom: 'Gatehouse <no-reply>' }, /emailFrom must be an address/],
    [{ emailFrom: 'a@example.com', sesIdentity: 'other.com' }, /sesIdentity must be/],
    [{ emailFrom: 'a@example.com', sesIdentity: 'b@example.com' }, /sesIdentity must be/],
    [{ emailFrom: 'a@example.com', sesIdentity: '*' }, /sesIdentity must be/],
    [{ emailFrom: 'a@example.com', sesConfigurationSet: 'no spaces' }, /sesConfigurationSet/],
    [{ sesIdentity: 'example.com' }, /need emailFrom/],
    [{ sesConfigurationSet: 'gatehouse' }, /need emailFrom/],
  ] as [EmailProps, RegExp][])('refuses %j', (props, message) => {
    expect(() => sesSender(props)).toThrow(message);
  });
});

describe('the stack', () => {
  const names = Object.keys(functionSpecs) as FunctionName[];
  const senders = names.filter((name) => (functionSpecs[name] as FunctionSpec).sendsEmail);

  /** A function's environment and its SES, Lambda and DynamoDB actions, without bundling. */
  const mailOf = (stack: GatehouseStack, template: Template, fn: IConstruct) => {
    const properties = lambdaProperties(
      template,
      stack.getLogicalId(fn.node.defaultChild as CfnElement),
    );
    const statements = roleStatements(template, properties.Role['Fn::GetAtt'][0]);
    const actions = (prefix: string) =>
      statements.flatMap((s) => s.actions.filter((action) => action.startsWith(prefix)));
    return {
      env: properties.Environment.Variables,
      ses: actions('ses:'),
      dynamodb: actions('dynamodb:'),
      invokes: statements
        .filter((s) => s.actions.some((action) => action.startsWith('lambda:')))
        .map(({ actions: a, Resource }) => ({ actions: a, Resource })),
    };
  };

  const synthEmail = (props: GatehouseStackProps) => {
    const stack = new GatehouseStack(new App({ context: noBundling }), 'Gatehouse', props);
    const template = Template.fromStack(stack);
    const byName = Object.fromEntries(
      names.map((name) => [name, mailOf(stack, template, stack.functions.byName[name])]),
    ) as Record<FunctionName, ReturnType<typeof mailOf>>;
    const { mailer } = stack.functions;
    return {
      byName,
      template,
      mailer: mailer ? mailOf(stack, template, mailer) : undefined,
      mailerId: mailer ? stack.getLogicalId(mailer.node.defaultChild as CfnElement) : undefined,
    };
  };

  it('has functions that send mail', () => {
    expect(senders.length).toBeGreaterThan(0);
  });

  it('lets the mailer alone send, as the sender; the sendsEmail functions may only invoke it', () => {
    const built = synthEmail({ emailFrom: 'Gatehouse <no-reply@example.com>' });
    const { mailer, mailerId } = built;
    expect(mailer?.env.EMAIL_FROM).toBe('Gatehouse <no-reply@example.com>');
    expect(mailer?.ses).toEqual(['ses:SendEmail']);
    expect(mailer?.dynamodb).toEqual([]);
    expect(mailer?.invokes).toEqual([]);
    for (const name of names) {
      const sends = senders.includes(name);
      const fn = built.byName[name];
      expect(fn.env).not.toHaveProperty('EMAIL_FROM');
      expect(fn.env).not.toHaveProperty('SES_CONFIGURATION_SET');
      expect(fn.ses).toEqual([]);
      expect(fn.env.MAILER_FUNCTION_NAME).toEqual(sends ? { Ref: mailerId } : undefined);
      expect(fn.invokes).toEqual(
        sends
          ? [{ actions: ['lambda:InvokeFunction'], Resource: { 'Fn::GetAtt': [mailerId, 'Arn'] } }]
          : [],
      );
    }
  });

  it('has Lambda retry a failed mail twice and drop it after 30 minutes', () => {
    const { template, mailerId } = synthEmail({ emailFrom: 'no-reply@example.com' });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: mailerId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 1800,
    });
  });

  it('makes a configuration set sending bounces, complaints and rejects to an encrypted topic', () => {
    const stack = new GatehouseStack(new App({ context: noBundling }), 'Gatehouse', {
      emailFrom: 'Gatehouse <no-reply@example.com>',
    });
    const template = Template.fromStack(stack);
    const id = (construct: IConstruct) =>
      stack.getLogicalId(construct.node.defaultChild as CfnElement);
    const events = stack.mailEvents;
    if (!events) throw new Error('no mail events');
    const setId = id(events.configurationSet);
    const topicId = id(events.topic);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: setId },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'reject'],
        SnsDestination: { TopicARN: { Ref: topicId } },
      },
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
      DisplayName: 'Gatehouse mail bounces and complaints',
    });
    // SES may publish for this configuration set of this account only; nothing without TLS.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: Match.objectLike({ 'AWS:SourceAccount': Match.anyValue() }),
            },
          }),
        ]),
      },
    });
    const mailer = stack.functions.mailer;
    if (!mailer) throw new Error('no mailer');
    const properties = lambdaProperties(template, id(mailer));
    expect(properties.Environment.Variables.SES_CONFIGURATION_SET).toEqual({ Ref: setId });
    const [send] = roleStatements(template, properties.Role['Fn::GetAtt'][0]).filter((s) =>
      s.actions.includes('ses:SendEmail'),
    );
    expect(JSON.stringify(send?.Resource)).toContain(`configuration-set/`);
    expect(send?.Condition).toEqual({
      StringEquals: { 'ses:FromAddress': 'no-reply@example.com' },
    });
    expect(template.toJSON().Outputs.MailEventsTopicArn.Value).toEqual({ Ref: topicId });
  });

  it("uses the operator's configuration set as given, and makes none", () => {
    const stack = new GatehouseStack(new App({ context: noBundling }), 'Gatehouse', {
      emailFrom: 'no-reply@example.com',
      sesConfigurationSet: 'operators-set',
    });
    const template = Template.fromStack(stack);
    expect(stack.mailEvents).toBeUndefined();
    template.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 0);
    const mailer = stack.functions.mailer;
    if (!mailer) throw new Error('no mailer');
    const properties = lambdaProperties(
      template,
      stack.getLogicalId(mailer.node.defaultChild as CfnElement),
    );
    expect(properties.Environment.Variables.SES_CONFIGURATION_SET).toBe('operators-set');
    expect(template.toJSON().Outputs).not.toHaveProperty('MailEventsTopicArn');
  });

  it('without emailFrom, no mailer, and no function may send nor knows a sender', () => {
    const built = synthEmail({});
    expect(built.mailer).toBeUndefined();
    for (const name of names) {
      expect(built.byName[name].env).not.toHaveProperty('EMAIL_FROM');
      expect(built.byName[name].env).not.toHaveProperty('MAILER_FUNCTION_NAME');
      expect(built.byName[name].ses).toEqual([]);
      expect(built.byName[name].invokes).toEqual([]);
    }
  });

  it.each([
    [{ settings: { EMAIL_FROM: 'a@example.com' } }, /emailFrom prop/],
    [{ settings: { SES_CONFIGURATION_SET: 'x' } }, /sesConfigurationSet prop/],
    [{ emailFrom: 'nobody' }, /emailFrom must be an address/],
  ] as [GatehouseStackProps, RegExp][])('refuses %j', (props, message) => {
    expect(() => synthEmail(props)).toThrow(message);
  });
});
