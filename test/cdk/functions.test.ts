import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaRuntime } from '../../lib/architecture';
import { assertWebAssetsBuilt } from '../../lib/bundling';
import {
  defaultAuditRetentionDays,
  defaultRevocationCacheSeconds,
  GatehouseStack,
  type GatehouseStackProps,
} from '../../lib/gatehouse-stack';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../../src/http/functions';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../src/http/metric-names';
import { type TableName, tables } from '../../src/store/schema';
import {
  type LambdaProperties,
  lambdaProperties,
  noBundling,
  ownerEmail,
  ownerUsername,
  resources,
  roleStatements,
  type Synthesized,
  synthGatehouse,
  usersAttributeCondition,
} from './synth';

let synth: Synthesized;
const ids = { api: '', key: '', signingKeys: '', ownerPassword: '', cursorKey: '', mailer: '' };
const tableIds = {} as Record<TableName, string>;

// An operator setting reaches every function; it cannot displace what the stack sets.
const settings = { SIGN_UP_ENABLED: '1', ISSUER_URL: 'https://elsewhere.example' };
const email = {
  emailFrom: 'Gatehouse <no-reply@mail.example.com>',
  sesConfigurationSet: 'gatehouse',
};

// A given architecture reaches every function (this machine's: any would do for a template).
const hostArchitecture = process.arch === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64;

beforeAll(() => {
  synth = synthGatehouse(
    { settings, ...email, architecture: hostArchitecture },
    () => {},
    noBundling,
  );
  const { stack, logicalId } = synth;
  ids.api = logicalId(stack.api.httpApi);
  ids.key = logicalId(stack.tables.key);
  ids.signingKeys = logicalId(stack.secrets.signingKeys);
  ids.ownerPassword = logicalId(stack.secrets.defaultOwnerPassword);
  ids.cursorKey = logicalId(stack.secrets.cursorKey);
  ids.mailer = stack.functions.mailer ? logicalId(stack.functions.mailer) : '';
  for (const name of Object.keys(tables) as TableName[]) {
    tableIds[name] = logicalId(stack.tables.byName[name]);
  }
});
afterAll(() => synth.cleanUp());

const names = Object.keys(functionSpecs) as FunctionName[];
const writeActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** Every action that changes something, whatever the service. */
const anyWriteActions = [
  ...writeActions,
  'kms:Encrypt',
  'secretsmanager:PutSecretValue',
  'events:PutEvents',
  'ses:SendEmail',
];

// The default bus of the deploying account and region, from pseudo parameters only.
const defaultBusArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':events:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':event-bus/default',
    ],
  ],
};

/** An SES resource of the deploying account and region, from pseudo parameters only. */
const sesArn = (resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ses:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});
// The default identity: the sender's domain.
const sendEmailResources = [
  sesArn('identity/mail.example.com'),
  sesArn(`configuration-set/${email.sesConfigurationSet}`),
];

const lambda = (name: FunctionName): LambdaProperties =>
  lambdaProperties(synth.template, synth.logicalId(synth.stack.functions.byName[name]));

const roleIdOf = (name: FunctionName): string => {
  return lambda(name).Role['Fn::GetAtt'][0];
};

/** All actions a function's role allows on one resource (by logical id). */
const actionsOn = (name: FunctionName, resourceId: string): string[] =>
  roleStatements(synth.template, roleIdOf(name))
    .filter((statement) => statement.Effect === 'Allow' && statement.resourceIds.has(resourceId))
    .flatMap((statement) => statement.actions);

/** Statements of a function's role that name no resource of the stack (the event bus). */
const statementsOutsideStack = (name: FunctionName) =>
  roleStatements(synth.template, roleIdOf(name)).filter(
    (statement) => statement.resourceIds.size === 0,
  );

const allActions = (name: FunctionName): string[] =>
  roleStatements(synth.template, roleIdOf(name)).flatMap((statement) => statement.actions);

/** Every stack resource a function's role reaches (by logical id), sorted. */
const reachedBy = (name: FunctionName): string[] =>
  [
    ...new Set(roleStatements(synth.template, roleIdOf(name)).flatMap((s) => [...s.resourceIds])),
  ].sort();

/** The AWS services a function's role may call, sorted. */
const servicesOf = (name: FunctionName): string[] =>
  [...new Set(allActions(name).map((action) => action.split(':')[0] as string))].sort();

it('makes one function per spec, the mailer and the key rotation', () => {
  synth.template.resourceCountIs('AWS::Lambda::Function', names.length + 2);
});

describe.each(names)('the %s function', (name) => {
  const spec: FunctionSpec = functionSpecs[name];

  it("runs bundled code on the newest Node.js, the stack's architecture, its memory, 10 s", () => {
    expect(lambda(name)).toMatchObject({
      Runtime: lambdaRuntime.name,
      Architectures: [hostArchitecture.name],
      Handler: 'index.handler',
      MemorySize: spec.memoryMb,
      Timeout: 10,
    });
  });

  it('has exactly the environment it needs', () => {
    const expected: Record<string, unknown> = {
      SIGN_UP_ENABLED: settings.SIGN_UP_ENABLED,
      NODE_OPTIONS: '--enable-source-maps',
      ISSUER_URL: { 'Fn::GetAtt': [ids.api, 'ApiEndpoint'] },
      REVOCATION_CACHE_SECONDS: String(defaultRevocationCacheSeconds),
      // EMF metrics (src/http/metrics.ts, lib/observability.ts).
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    };
    for (const table of [
      ...Object.keys(spec.tables),
      ...Object.keys(spec.itemAccess ?? {}),
    ] as TableName[]) {
      expected[tables[table].envVar] = { Ref: tableIds[table] };
    }
    if (spec.tables.audit === 'write') {
      expected.AUDIT_RETENTION_DAYS = String(defaultAuditRetentionDays);
    }
    if (spec.publishesEvents) expected.EVENT_BUS_NAME = 'default';
    // Mail is queued to the mailer, which alone knows the sender (test/cdk/email.test.ts).
    if (spec.sendsEmail) expected.MAILER_FUNCTION_NAME = { Ref: ids.mailer };
    if (spec.signsCursors) expected.CURSOR_KEY_SECRET_ARN = { Ref: ids.cursorKey };
    if (spec.signsTokens) expected.SIGNING_KEYS_SECRET_ARN = { Ref: ids.signingKeys };
    if (spec.bootstrapsOwner) {
      expected.DEFAULT_OWNER_PASSWORD_SECRET_ARN = { Ref: ids.ownerPassword };
      expected.DEFAULT_OWNER_EMAIL = ownerEmail;
      expected.DEFAULT_OWNER_USERNAME = ownerUsername;
    }
    if (spec.servesWebAssets) expected.WEB_ASSETS_DIR = '/var/task/web';
    if (name === 'authorizer') expected.AUTHORIZER_DENY_WITH_REASON = '1';
    expect(lambda(name).Environment).toEqual({ Variables: expected });
  });

  it('logs to its own log group with retention, through its own role', () => {
    const logGroupId = lambda(name).LoggingConfig.LogGroup.Ref;
    const logGroup = resources(synth.template)[logGroupId];
    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup?.Properties?.RetentionInDays).toBeGreaterThan(0);
    expect(actionsOn(name, logGroupId).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);

    const role = resources(synth.template)[roleIdOf(name)];
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties?.Policies).toBeUndefined();
    expect(role?.Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
        },
      ],
    });
  });

  it('reaches only its own resources, never "*"', () => {
    const ownLogGroup = lambda(name).LoggingConfig.LogGroup.Ref;
    const allowed = new Set([ownLogGroup]);
    const reachable = [...Object.keys(spec.tables), ...Object.keys(spec.itemAccess ?? {})];
    for (const table of reachable as TableName[]) allowed.add(tableIds[table]);
    if (reachable.length > 0) allowed.add(ids.key);
    if (spec.signsTokens) allowed.add(ids.signingKeys);
    if (spec.bootstrapsOwner) allowed.add(ids.ownerPassword);
    if (spec.signsCursors) allowed.add(ids.cursorKey);
    if (spec.sendsEmail) allowed.add(ids.mailer);

    const statements = roleStatements(synth.template, roleIdOf(name));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      // The Denies: writing the published keys (test/cdk/least-privilege.test.ts), and second
      // factors to a function without readsMfaItems (test/cdk/mfa-items.test.ts).
      if (statement.Effect !== 'Allow') {
        expect([
          { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': ['JWKS'] } },
          { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['MFA#*', 'WEBAUTHN#*'] } },
          undefined,
        ]).toContainEqual(statement.Condition);
        if (statement.Condition === undefined) {
          expect(statement.Action).toEqual(['dynamodb:Scan', 'dynamodb:PartiQLSelect']);
        }
      }
      expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
      for (const id of statement.resourceIds) expect(allowed).toContain(id);
    }
    // The statements on what the stack does not make: the default event bus.
    expect(statementsOutsideStack(name).map((statement) => statement.Resource)).toEqual(
      spec.publishesEvents ? [defaultBusArn] : [],
    );
  });

  it(`${spec.publishesEvents ? 'may only put events on the default bus' : 'cannot put events'}`, () => {
    const eventStatements = roleStatements(synth.template, roleIdOf(name))
      .filter((statement) => statement.actions.some((action) => action.startsWith('events:')))
      .map(({ Effect, Action, Resource, Condition }) => ({ Effect, Action, Resource, Condition }));
    expect(eventStatements).toEqual(
      spec.publishesEvents
        ? [
            {
              Effect: 'Allow',
              Action: 'events:PutEvents',
              Resource: defaultBusArn,
              Condition: { StringEquals: { 'events:source': 'gatehouse' } },
            },
          ]
        : [],
    );
  });

  it('cannot send mail itself (only the mailer may)', () => {
    const sesStatements = roleStatements(synth.template, roleIdOf(name)).filter((statement) =>
      statement.actions.some((action) => action.startsWith('ses:')),
    );
    expect(sesStatements).toEqual([]);
  });

  it.each(Object.keys(tables) as TableName[])('has exactly its spec access to %s', (table) => {
    const actions = actionsOn(name, tableIds[table]);
    const access = (spec.tables as Partial<Record<TableName, 'read' | 'write'>>)[table];
    const items = spec.itemAccess?.[table];
    if (items) {
      const actionOf = {
        get: 'dynamodb:GetItem',
        update: 'dynamodb:UpdateItem',
        query: 'dynamodb:Query',
      } as const;
      const itemActions = items.map((grant) => actionOf[grant.action]);
      expect([...new Set(actions)].sort()).toEqual([...new Set(itemActions)].sort());
      return;
    }
    if (!access) {
      expect(actions).toEqual([]);
      return;
    }
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    if (access === 'write') expect(actions).toEqual(expect.arrayContaining(writeActions));
    else for (const action of writeActions) expect(actions).not.toContain(action);
  });

  it('uses the table key only as its table access needs', () => {
    const actions = actionsOn(name, ids.key);
    const access = Object.values(spec.tables);
    const items = Object.values(spec.itemAccess ?? {}).flat();
    if (access.length === 0 && items.length === 0) expect(actions).toEqual([]);
    else expect(actions).toContain('kms:Decrypt');
    const updatesItems = items.some((grant) => grant.action === 'update');
    if (access.includes('write') || updatesItems) expect(actions).toContain('kms:Encrypt');
    else expect(actions).not.toContain('kms:Encrypt');
  });

  it(`${spec.signsTokens ? 'reads and stores' : 'cannot touch'} the signing keys`, () => {
    const actions = actionsOn(name, ids.signingKeys).sort();
    expect(actions).toEqual(
      spec.signsTokens
        ? [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
          ]
        : [],
    );
  });

  it(`${spec.bootstrapsOwner ? 'only reads' : 'cannot touch'} the owner password`, () => {
    const actions = actionsOn(name, ids.ownerPassword).sort();
    expect(actions).toEqual(
      spec.bootstrapsOwner
        ? ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']
        : [],
    );
  });
});

describe('least privilege, by example', () => {
  it('the users function writes users, tokens and audit, puts events, and nothing else', () => {
    for (const table of ['users', 'tokens', 'audit'] as const) {
      expect(actionsOn('users', tableIds[table])).toEqual(expect.arrayContaining(writeActions));
    }
    const logGroup = lambda('users').LoggingConfig.LogGroup.Ref;
    expect(reachedBy('users')).toEqual(
      [logGroup, tableIds.users, tableIds.tokens, tableIds.audit, ids.key, ids.cursorKey].sort(),
    );
    expect(statementsOutsideStack('users')).toEqual([
      expect.objectContaining({ Action: 'events:PutEvents', Resource: defaultBusArn }),
    ]);
    expect(servicesOf('users')).toEqual(['dynamodb', 'events', 'kms', 'logs', 'secretsmanager']);
    expect(lambda('users').Environment.Variables).toMatchObject({
      EVENT_BUS_NAME: 'default',
      AUDIT_RETENTION_DAYS: String(defaultAuditRetentionDays),
    });
  });

  it('the account function writes the three tables and queues mail to the mailer, nothing else', () => {
    const logGroup = lambda('account').LoggingConfig.LogGroup.Ref;
    expect(reachedBy('account')).toEqual(
      [
        logGroup,
        tableIds.users,
        tableIds.tokens,
        tableIds.audit,
        ids.key,
        ids.cursorKey,
        ids.mailer,
      ].sort(),
    );
    expect(actionsOn('account', ids.mailer)).toEqual(['lambda:InvokeFunction']);
    expect(statementsOutsideStack('account')).toEqual([]);
    expect(servicesOf('account')).toEqual(['dynamodb', 'kms', 'lambda', 'logs', 'secretsmanager']);
    expect(lambda('account').Environment.Variables).toMatchObject({
      MAILER_FUNCTION_NAME: { Ref: ids.mailer },
    });
  });

  it('the mailer sends as the sender, and reaches nothing but its log group', () => {
    const mailer = lambdaProperties(synth.template, ids.mailer);
    const statements = roleStatements(synth.template, mailer.Role['Fn::GetAtt'][0]);
    const reached = new Set(statements.flatMap((s) => [...s.resourceIds]));
    expect([...reached]).toEqual([mailer.LoggingConfig.LogGroup.Ref]);
    expect(statements.filter((s) => s.resourceIds.size === 0)).toEqual([
      expect.objectContaining({ Action: 'ses:SendEmail', Resource: sendEmailResources }),
    ]);
    expect(mailer.Environment.Variables).toMatchObject({
      EMAIL_FROM: email.emailFrom,
      SES_CONFIGURATION_SET: email.sesConfigurationSet,
    });
  });

  it('the pages function signs tokens, writes the three tables, puts events, mails, and nothing else', () => {
    const logGroup = lambda('pages').LoggingConfig.LogGroup.Ref;
    expect(reachedBy('pages')).toEqual(
      [
        logGroup,
        tableIds.users,
        tableIds.tokens,
        tableIds.audit,
        ids.key,
        ids.signingKeys,
        ids.cursorKey,
        ids.mailer,
      ].sort(),
    );
    expect(actionsOn('pages', ids.signingKeys)).toContain('secretsmanager:PutSecretValue');
    expect(actionsOn('pages', ids.ownerPassword)).toEqual([]);
    expect(statementsOutsideStack('pages')).toEqual([
      expect.objectContaining({ Action: 'events:PutEvents', Resource: defaultBusArn }),
    ]);
    expect(servicesOf('pages')).toEqual([
      'dynamodb',
      'events',
      'kms',
      'lambda',
      'logs',
      'secretsmanager',
    ]);
    expect(lambda('pages').Environment.Variables).toMatchObject({
      SIGNING_KEYS_SECRET_ARN: { Ref: ids.signingKeys },
      EVENT_BUS_NAME: 'default',
      MAILER_FUNCTION_NAME: { Ref: ids.mailer },
      WEB_ASSETS_DIR: '/var/task/web',
    });
  });

  it('the discovery function cannot read the signing keys', () => {
    expect(actionsOn('discovery', ids.signingKeys)).toEqual([]);
    expect(lambda('discovery').Environment).not.toHaveProperty('Variables.SIGNING_KEYS_SECRET_ARN');
  });

  it('the authorizer reads only the role, status and type of users, item by item', () => {
    const policies = Object.values(resources(synth.template)).filter(
      (r) => r.Type === 'AWS::IAM::Policy',
    );
    const statements = policies.flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } })
          .PolicyDocument.Statement,
    );
    const onUsers = statements.filter(
      (st) => JSON.stringify(st.Resource).includes(tableIds.users) && st.Condition !== undefined,
    );
    expect(onUsers).toContainEqual(
      expect.objectContaining({ Action: 'dynamodb:GetItem', Condition: usersAttributeCondition }),
    );
  });

  it('the authorizer reads no secret, writes no user, and only updates the audit table (token uses)', () => {
    expect(allActions('authorizer')).not.toContain('secretsmanager:GetSecretValue');
    for (const action of writeActions)
      expect(actionsOn('authorizer', tableIds.users)).not.toContain(action);
    // The activity counters' ADD (least-privilege.test.ts checks its keys and attributes).
    expect(actionsOn('authorizer', tableIds.audit)).toEqual(['dynamodb:UpdateItem']);
  });

  it.each(['discovery'] as const)('the %s function cannot write anything', (name) => {
    const actions = allActions(name);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of [...anyWriteActions, 'secretsmanager:GetSecretValue']) {
      expect(actions).not.toContain(action);
    }
    // Logs aside, every action it holds is a DynamoDB or KMS read.
    for (const action of actions.filter((a) => !a.startsWith('logs:'))) {
      expect(action).toMatch(
        /^(dynamodb:(BatchGet|Get|Query|Scan|ConditionCheck|DescribeTable)|kms:(Decrypt|DescribeKey))/,
      );
    }
  });

  it('only the functions that write audit events know the audit retention', () => {
    const withRetention = names.filter(
      (name) => lambda(name).Environment.Variables.AUDIT_RETENTION_DAYS !== undefined,
    );
    const auditWriters = names.filter(
      (name) => (functionSpecs[name] as FunctionSpec).tables.audit === 'write',
    );
    expect(withRetention).toEqual(auditWriters);
    expect(auditWriters).toEqual(expect.arrayContaining(['signIn', 'token', 'users']));
  });
});

describe('stack props', () => {
  // No bundling: these check the template only, and stay fast.
  const environments = (props: GatehouseStackProps) => {
    const app = new App({
      outdir: join(synth.directory, 'props'),
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new GatehouseStack(app, 'Props', props);
    const template = Template.fromStack(stack);
    return Object.fromEntries(
      names.map((name) => {
        const fn = stack.functions.byName[name];
        const id = stack.getLogicalId(fn.node.defaultChild as CfnElement);
        return [name, template.toJSON().Resources[id].Properties.Environment.Variables];
      }),
    ) as Record<FunctionName, Record<string, unknown>>;
  };

  it('set REVOCATION_CACHE_SECONDS everywhere and AUDIT_RETENTION_DAYS on audit writers', () => {
    const env = environments({ revocationCacheSeconds: 0, auditRetentionDays: 30 });
    for (const name of names) {
      expect(env[name].REVOCATION_CACHE_SECONDS).toBe('0');
      const writesAudit = (functionSpecs[name] as FunctionSpec).tables.audit === 'write';
      expect(env[name].AUDIT_RETENTION_DAYS).toBe(writesAudit ? '30' : undefined);
    }
  });

  it.each([
    [{ revocationCacheSeconds: -1 }, /revocationCacheSeconds .* 0 to 300/],
    [{ revocationCacheSeconds: 301 }, /revocationCacheSeconds/],
    [{ revocationCacheSeconds: 1.5 }, /revocationCacheSeconds/],
    [{ revocationCacheSeconds: Number.NaN }, /revocationCacheSeconds/],
    [{ auditRetentionDays: 0 }, /auditRetentionDays .* 1 to 3650/],
    [{ auditRetentionDays: 3651 }, /auditRetentionDays/],
    [{ settings: { REVOCATION_CACHE_SECONDS: '5' } }, /revocationCacheSeconds prop/],
    [{ settings: { AUDIT_RETENTION_DAYS: '5' } }, /auditRetentionDays prop/],
  ] as [GatehouseStackProps, RegExp][])('refuses %j', (props, message) => {
    expect(() => environments(props)).toThrow(message);
  });
});

it('refuses a plain-text owner password setting', () => {
  expect(
    () =>
      new GatehouseStack(new App({ outdir: join(synth.directory, 'refused') }), 'Refused', {
        settings: { DEFAULT_OWNER_PASSWORD: 'x' },
      }),
  ).toThrow(/DEFAULT_OWNER_PASSWORD/);
});

describe('secrets', () => {
  it('generates the signing-key placeholder: no value in the template', () => {
    const secret = resources(synth.template)[ids.signingKeys];
    expect(secret?.Properties?.SecretString).toBeUndefined();
    expect(secret?.Properties?.GenerateSecretString).toMatchObject({
      SecretStringTemplate: '{}',
      GenerateStringKey: 'placeholder',
    });
    expect(secret?.DeletionPolicy).toBe('Retain');
  });

  it('generates a 32-character owner password', () => {
    const secret = resources(synth.template)[ids.ownerPassword];
    expect(secret?.Properties?.SecretString).toBeUndefined();
    expect(secret?.Properties?.GenerateSecretString).toMatchObject({ PasswordLength: 32 });
    expect(secret?.DeletionPolicy).toBe('Retain');
  });
});

// What the bundles hold is bundles.test.ts's, which synthesizes with bundling.
describe('bundles', () => {
  it('need a built web/dist, but only when the stack is bundled', () => {
    const unbuilt = mkdtempSync(join(synth.directory, 'unbuilt-'));
    const stackIn = (context: Record<string, unknown>) =>
      new Stack(new App({ outdir: join(unbuilt, 'out'), context }), 'Pages');
    expect(() => assertWebAssetsBuilt(stackIn({}), unbuilt)).toThrow(
      /Missing web\/dist\/app\.js and web\/dist\/app\.css: .*npm run build:web/,
    );
    expect(() =>
      assertWebAssetsBuilt(stackIn({ 'aws:cdk:bundling-stacks': [] }), unbuilt),
    ).not.toThrow();
  });
});
