import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  Effect,
  type IGrantable,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { Architecture } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { USER_EVENT_SOURCE } from '../src/core/users/user-events';
import {
  type FunctionName,
  type FunctionSpec,
  functionSpecs,
  mailerSpec,
} from '../src/http/functions';
import type { ItemGrant } from '../src/store/item-access';
import { keys, type TableName, tables } from '../src/store/schema';
import { lambdaRuntime } from './architecture';
import { assertBcryptFetched, assertWebAssetsBuilt, bundlingFor, webAssetsDir } from './bundling';
import { grantQueueMail, grantSendEmail, type SesSender } from './email';
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
  /** USERS_IMPORT_PROVIDER, given only to the functions that read the providers. */
  usersImportProvider?: string | undefined;
  /** Who `sendsEmail` functions send as; none: they get no SES permission and cannot send. */
  sesSender?: SesSender | undefined;
  /** REVOCATION_CACHE_SECONDS of every function. */
  revocationCacheSeconds: number;
  /** AUDIT_RETENTION_DAYS of the functions that write the audit table. */
  auditRetentionDays: number;
  logRetention: RetentionDays;
  /** What every function, the mailer included, runs on; its bundles carry its bcrypt binary. */
  architecture: Architecture;
}

/** The bus `publishesEvents` functions put their events on: the account's default bus. */
export const eventBusName = 'default';

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

/** Every table a spec names, whether it reads and writes it or reaches only some items. */
type SpecTables<S extends FunctionSpec> = Record<
  keyof S['tables'] | (S extends { itemAccess: infer Items } ? keyof NonNullable<Items> : never),
  ITable
>;

/** Every item-level write action: a grant of any of these is a write. */
export const itemWriteActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** What writing a table encrypted with a customer-managed key asks of the key (grantWriteData's). */
const keyWriteActions = ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

const grantActions = {
  get: 'dynamodb:GetItem',
  update: 'dynamodb:UpdateItem',
  query: 'dynamodb:Query',
} as const;

/**
 * One item grant as IAM: GetItem or Query (with a projection of these attributes only; the
 * table's ARN alone, so no index) or UpdateItem (of these attributes only, answering nothing
 * but what it set), on items whose partition key matches. `Null` makes both keys required: a `ForAllValues` test on a missing key would pass.
 */
export const itemGrantStatement = (table: ITable, grant: ItemGrant): PolicyStatement =>
  new PolicyStatement({
    actions: [grantActions[grant.action]],
    resources: [table.tableArn],
    conditions: {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...grant.partitions] },
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...grant.attributes] },
      StringEqualsIfExists:
        grant.action === 'update'
          ? { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_NEW'] }
          : { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      Null: { 'dynamodb:LeadingKeys': 'false', 'dynamodb:Attributes': 'false' },
    },
  });

/**
 * Item grants as IAM on a principal (a function's role, or Gatehouse's AuthorizerReader role):
 * each grant's statement, and what it needs of the table's key: Decrypt for a reader, what
 * grantWriteData asks for an update.
 */
export const grantItemAccess = (
  grantee: IGrantable,
  itemAccess: Partial<Record<TableName, readonly ItemGrant[]>>,
  tableOf: (name: TableName) => ITable,
): void => {
  for (const [name, grants] of Object.entries(itemAccess) as [TableName, ItemGrant[]][]) {
    const table = tableOf(name);
    for (const grant of grants) {
      grantee.grantPrincipal.addToPrincipalPolicy(itemGrantStatement(table, grant));
    }
    table.encryptionKey?.grantDecrypt(grantee);
    if (grants.some((grant) => grant.action === 'update')) {
      table.encryptionKey?.grant(grantee, ...keyWriteActions);
    }
  }
};

interface SpecFunctionProps<S extends FunctionSpec> {
  tables: SpecTables<S>;
  /** Besides NODE_OPTIONS and the table names, which this sets. */
  environment: Record<string, string>;
  logRetention: RetentionDays;
  architecture: Architecture;
}

/**
 * One NodejsFunction of a spec, bundled with the local esbuild, with its own log group and its
 * own role holding exactly the spec's table access: Gatehouse's functions and the authorizer
 * other stacks put in front of their APIs (lib/gatehouse-authorizer.ts) are built alike.
 */
export const specFunction = <S extends FunctionSpec>(
  scope: Construct,
  id: string,
  spec: S,
  props: SpecFunctionProps<S>,
): NodejsFunction => {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
  // Our own role instead of AWSLambdaBasicExecutionRole: write to this log group only.
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `Gatehouse ${id} function`,
  });
  logGroup.grantWrite(role);
  if (spec.servesWebAssets) assertWebAssetsBuilt(scope);
  if (spec.hashesPasswords) assertBcryptFetched(scope, props.architecture);

  const fn = new NodejsFunction(scope, id, {
    entry: join(projectRoot, 'functions', spec.entry),
    projectRoot,
    depsLockFilePath: join(projectRoot, 'package-lock.json'),
    description: `Gatehouse: ${spec.description}`,
    runtime: lambdaRuntime,
    architecture: props.architecture,
    memorySize: spec.memoryMb,
    timeout: Duration.seconds(10),
    role,
    logGroup,
    bundling: bundlingFor(spec, props.architecture),
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
  });
  // The bundle carries web/dist (bundlingFor): the pages read their script and stylesheet there.
  if (spec.servesWebAssets) fn.addEnvironment('WEB_ASSETS_DIR', webAssetsDir);

  const tableOf = (name: TableName): ITable => (props.tables as Record<TableName, ITable>)[name];
  for (const [name, access] of Object.entries(spec.tables) as [TableName, 'read' | 'write'][]) {
    const table = tableOf(name);
    if (access === 'write') table.grantReadWriteData(fn);
    else table.grantReadData(fn);
    fn.addEnvironment(tables[name].envVar, table.tableName);
  }
  const itemAccess = spec.itemAccess ?? {};
  grantItemAccess(fn, itemAccess, tableOf);
  for (const name of Object.keys(itemAccess) as TableName[]) {
    fn.addEnvironment(tables[name].envVar, tableOf(name).tableName);
  }
  if (spec.tables.tokens === 'write' && !spec.signsTokens) {
    // Whoever may write the published keys may mint tokens: only the functions that already
    // hold the private keys may (docs/aws.md "Who can change the published keys").
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: itemWriteActions,
        resources: [tableOf('tokens').tableArn],
        conditions: {
          'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': [keys.publishedKeys().pk] },
        },
      }),
    );
  }
  if (spec.tables.users && !spec.readsMfaItems) denyMfaItems(fn, tableOf('users'));
  return fn;
};

/** The partitions of second factors in the users table: factors, and passkeys' lookups. */
const mfaPartitions = [keys.mfaState('*').pk, keys.webAuthnCredential('*').pk];

/**
 * Invariant: a function that never needs a second factor (API tokens, and any other without
 * `readsMfaItems`) can neither read nor change one, whatever its table grant: every request
 * naming an `MFA#` or `WEBAUTHN#` partition is denied, and so is a Scan (it names none, and returns them all).
 */
const denyMfaItems = (fn: NodejsFunction, users: ITable) => {
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.DENY,
      actions: ['dynamodb:*'],
      resources: [users.tableArn, `${users.tableArn}/index/*`],
      conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': mfaPartitions } },
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.DENY,
      actions: ['dynamodb:Scan', 'dynamodb:PartiQLSelect'],
      resources: [users.tableArn, `${users.tableArn}/index/*`],
    }),
  );
};

/**
 * One NodejsFunction per entry of src/http/functions.ts (specFunction), and what only
 * Gatehouse's own functions get: the secrets their flags name (signing keys, owner password,
 * SSO key, identity providers), PutEvents on the default event bus for `publishesEvents`, the
 * mailer's invocation for `sendsEmail`, the cursor key for `signsCursors`, the audit retention;
 * and the mailer, the one function that sends through SES.
 */
export class GatehouseFunctions extends Construct {
  readonly byName: Record<FunctionName, NodejsFunction>;
  /**
   * Sends the mails the `sendsEmail` functions queue (invoked asynchronously, so no answer waits
   * on SES: docs/aws.md, "Email (SES)"); made only with a sender.
   */
  readonly mailer: NodejsFunction | undefined;

  constructor(scope: Construct, id: string, props: GatehouseFunctionsProps) {
    super(scope, id);
    this.mailer = props.sesSender ? this.buildMailer(props, props.sesSender) : undefined;
    const names = Object.keys(functionSpecs) as FunctionName[];
    this.byName = Object.fromEntries(
      names.map((name) => [name, this.build(functionId(name), functionSpecs[name], props)]),
    ) as Record<FunctionName, NodejsFunction>;
  }

  private buildMailer(props: GatehouseFunctionsProps, sender: SesSender): NodejsFunction {
    const mailer = specFunction(this, 'Mailer', mailerSpec, {
      tables: {},
      logRetention: props.logRetention,
      architecture: props.architecture,
      environment: {},
    });
    grantSendEmail(mailer, sender);
    // Lambda's own queue: two retries, and a mail older than its shortest link is dropped.
    mailer.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.minutes(30) });
    return mailer;
  }

  private build(id: string, spec: FunctionSpec, props: GatehouseFunctionsProps): NodejsFunction {
    const fn = specFunction(this, id, spec, {
      tables: props.tables,
      logRetention: props.logRetention,
      architecture: props.architecture,
      environment: {
        ...props.settings,
        ISSUER_URL: props.issuerUrl,
        REVOCATION_CACHE_SECONDS: String(props.revocationCacheSeconds),
      },
    });
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

    const ssoSecret = props.secrets.ssoJwtSecret;
    if (spec.readsSsoSecret && ssoSecret) {
      ssoSecret.grantRead(fn);
      fn.addEnvironment('SSO_JWT_SECRET_SECRET_ARN', ssoSecret.secretArn);
    }

    const providers = props.secrets.identityProviders;
    if (spec.readsIdentityProviders && providers) {
      // GetSecretValue alone, on this secret alone: the providers' client secrets are in it.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [providers.secretArn],
        }),
      );
      fn.addEnvironment('IDENTITY_PROVIDERS_SECRET_ARN', providers.secretArn);
      // It names a provider: a function without the list would refuse it at start.
      if (props.usersImportProvider) {
        fn.addEnvironment('USERS_IMPORT_PROVIDER', props.usersImportProvider);
      }
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

    if (spec.sendsEmail && this.mailer) grantQueueMail(fn, this.mailer);

    if (spec.signsCursors) {
      props.secrets.cursorKey.grantRead(fn);
      fn.addEnvironment('CURSOR_KEY_SECRET_ARN', props.secrets.cursorKey.secretArn);
    }
    return fn;
  }
}
