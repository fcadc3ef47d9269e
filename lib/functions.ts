import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { USER_EVENT_SOURCE } from '../src/core/user-events';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../src/http/functions';
import { type TableName, tables } from '../src/store/schema';
import { bundlingFor } from './bundling';
import type { GatehouseSecrets } from './secrets';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export interface GatehouseFunctionsProps {
  tables: Record<TableName, ITable>;
  secrets: GatehouseSecrets;
  /** The API's URL: every token's `iss` and discovery's `issuer`. */
  issuerUrl: string;
  defaultOwnerEmail?: string;
  defaultOwnerUsername?: string;
  /** Extra settings (API.md "Settings") given to every function. */
  settings?: Record<string, string>;
  /** REVOCATION_CACHE_SECONDS of every function. */
  revocationCacheSeconds: number;
  /** AUDIT_RETENTION_DAYS of the functions that write the audit table. */
  auditRetentionDays: number;
  logRetention: RetentionDays;
}

/** The bus `publishesEvents` functions put their events on: the account's default bus. */
export const eventBusName = 'default';
/** The `source` of every event Gatehouse publishes; the only one its role may put. */

/**
 * The ARN of the account's default event bus in the stack's region (built from pseudo
 * parameters, so the template stays environment-agnostic).
 */
export const defaultEventBusArn = (scope: Construct): string =>
  Stack.of(scope).formatArn({
    service: 'events',
    resource: 'event-bus',
    resourceName: eventBusName,
  });

/** PascalCase construct id of a function name: signIn -> SignIn. */
export const functionId = (name: FunctionName): string =>
  name.charAt(0).toUpperCase() + name.slice(1);

/**
 * One NodejsFunction per entry of src/http/functions.ts, each with its own role that holds
 * exactly what its spec lists: its log group, its tables, the secrets its flags name, and
 * PutEvents on the default event bus for `publishesEvents`.
 */
export class GatehouseFunctions extends Construct {
  readonly byName: Record<FunctionName, NodejsFunction>;

  constructor(scope: Construct, id: string, props: GatehouseFunctionsProps) {
    super(scope, id);
    const names = Object.keys(functionSpecs) as FunctionName[];
    this.byName = Object.fromEntries(
      names.map((name) => [name, this.build(functionId(name), functionSpecs[name], props)]),
    ) as Record<FunctionName, NodejsFunction>;
  }

  private build(id: string, spec: FunctionSpec, props: GatehouseFunctionsProps): NodejsFunction {
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: props.logRetention });
    // Our own role instead of AWSLambdaBasicExecutionRole: write to this log group only.
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Gatehouse ${id} function`,
    });
    logGroup.grantWrite(role);

    const fn = new NodejsFunction(this, id, {
      entry: join(projectRoot, 'functions', spec.entry),
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      description: `Gatehouse: ${spec.description}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.X86_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(10),
      role,
      logGroup,
      bundling: bundlingFor(spec),
      environment: {
        ...props.settings,
        NODE_OPTIONS: '--enable-source-maps',
        ISSUER_URL: props.issuerUrl,
        REVOCATION_CACHE_SECONDS: String(props.revocationCacheSeconds),
      },
    });

    for (const [name, access] of Object.entries(spec.tables) as [TableName, 'read' | 'write'][]) {
      const table = props.tables[name];
      if (access === 'write') table.grantReadWriteData(fn);
      else table.grantReadData(fn);
      fn.addEnvironment(tables[name].envVar, table.tableName);
    }
    const attributeReads = ('attributeReads' in spec ? spec.attributeReads : undefined) ?? {};
    for (const [name, attributes] of Object.entries(attributeReads) as [TableName, string[]][]) {
      const table = props.tables[name];
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:GetItem'],
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringEquals': { 'dynamodb:Attributes': attributes },
            StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
          },
        }),
      );
      table.encryptionKey?.grantDecrypt(fn);
      fn.addEnvironment(tables[name].envVar, table.tableName);
    }
    // Audit events carry their expiry (the table's TTL attribute), set when written.
    if (spec.tables.audit === 'write') {
      fn.addEnvironment('AUDIT_RETENTION_DAYS', String(props.auditRetentionDays));
    }

    if (spec.signsTokens) {
      const secret = props.secrets.signingKeys;
      secret.grantRead(fn);
      // Only PutSecretValue (not grantWrite's UpdateSecret): the first cold start stores the set.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:PutSecretValue'],
          resources: [secret.secretArn],
        }),
      );
      fn.addEnvironment('SIGNING_KEYS_SECRET_ARN', secret.secretArn);
    }

    if (spec.bootstrapsOwner) {
      const password = props.secrets.defaultOwnerPassword;
      password.grantRead(fn);
      fn.addEnvironment('DEFAULT_OWNER_PASSWORD_SECRET_ARN', password.secretArn);
      const owner = {
        DEFAULT_OWNER_EMAIL: props.defaultOwnerEmail,
        DEFAULT_OWNER_USERNAME: props.defaultOwnerUsername,
      };
      for (const [key, value] of Object.entries(owner)) if (value) fn.addEnvironment(key, value);
    }

    if (spec.publishesEvents) {
      // PutEvents alone, on the default bus alone, and only events whose source is Gatehouse's:
      // it can neither change rules nor pass itself off as another application on that bus.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [defaultEventBusArn(this)],
          conditions: { StringEquals: { 'events:source': USER_EVENT_SOURCE } },
        }),
      );
      fn.addEnvironment('EVENT_BUS_NAME', eventBusName);
    }
    return fn;
  }
}
