import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { type SecretsLocal, startSecretsLocal } from '../../../dev/secrets-local';
import { type SesLocal, startSesLocal } from '../../../dev/ses-local';
import { type Assembly, type CfnResource, synthAssembly } from './assembly';
import { type AwsLocal, startAwsLocal } from './aws-local';
import { type LocalValues, lambdaEnvironment } from './environment';
import { type Gateway, templateGateway } from './gateway';
import { type LambdaPool, startLambdaPool } from './lambda-pool';
import { provideRuntimeSdk } from './runtime-sdk';

export interface LocalCloud {
  assembly: Assembly;
  gateway: Gateway;
  pool: LambdaPool;
  secrets: SecretsLocal;
  aws: AwsLocal;
  ses: SesLocal;
  /** The local value of each template id (tables' names, secrets' ARNs, the API's URL). */
  locals: LocalValues;
  stop(): Promise<void>;
}

/** The table as the template declares it (keys, indexes, billing), under a name of this run. */
const createTemplateTable = async (client: DynamoDBClient, table: CfnResource, name: string) => {
  const { AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode } =
    table.Properties as unknown as CreateTableCommandInput;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions,
      KeySchema,
      GlobalSecondaryIndexes,
      BillingMode,
    }),
  );
};

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A letters-and-digits password (what ExcludePunctuation generates), `length` long. */
const password = (length: number) =>
  [...randomBytes(length)].map((byte) => letters[byte % letters.length]).join('');

/** The value CloudFormation gives a secret at creation: its SecretString, or a generated one. */
const initialSecretValue = (secret: CfnResource): string => {
  const props = secret.Properties as {
    SecretString?: string;
    GenerateSecretString?: {
      PasswordLength?: number;
      SecretStringTemplate?: string;
      GenerateStringKey?: string;
    };
  };
  if (props.SecretString !== undefined) return props.SecretString;
  const generate = props.GenerateSecretString ?? {};
  // A digit and a letter of each case, as RequireEachIncludedType asks.
  const value = `aA1${password((generate.PasswordLength ?? 32) - 3)}`;
  if (!generate.SecretStringTemplate || !generate.GenerateStringKey) return value;
  return JSON.stringify({
    ...JSON.parse(generate.SecretStringTemplate),
    [generate.GenerateStringKey]: value,
  });
};

/**
 * The synthesized stack brought up locally: one synthesis, its tables made on DynamoDB Local
 * from the template, its secrets served by dev/secrets-local.ts with the values CloudFormation
 * would create, EventBridge and Lambda Invoke (aws-local.ts) and SES (dev/ses-local.ts)
 * stand-ins, the runtime's SDK beside the assets, and the HTTP API (gateway.ts) in front of a
 * pool of warm function processes.
 */
export const startLocalCloud = async (dynamoEndpoint: string): Promise<LocalCloud> => {
  const assembly = synthAssembly();
  provideRuntimeSdk(assembly.directory);

  const locals: LocalValues = {};
  const run = randomUUID().slice(0, 8);
  const dynamo = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const [id, table] of assembly.ofType('AWS::DynamoDB::Table')) {
    locals[id] = `${run}-${id}`;
    await createTemplateTable(dynamo, table, locals[id]);
  }
  dynamo.destroy();

  const secrets = await startSecretsLocal();
  for (const [id, secret] of assembly.ofType('AWS::SecretsManager::Secret')) {
    locals[id] = secrets.create(`${run}-${id}`, initialSecretValue(secret));
  }
  // A configuration set's Ref is its name: the local SES takes any.
  for (const [id] of assembly.ofType('AWS::SES::ConfigurationSet')) locals[id] = `${run}-${id}`;
  // A function's Ref is its name: the logical id names it locally.
  for (const fn of assembly.functions) locals[fn.logicalId] = fn.logicalId;

  const ses = await startSesLocal();
  let pool: LambdaPool | undefined;
  const invoke = (logicalId: string, event: unknown) => {
    if (!pool) throw new Error('The pool is not started');
    return pool.invoke(logicalId, event);
  };
  const aws = await startAwsLocal(invoke);
  const gateway = templateGateway(assembly.routes, invoke);
  await gateway.listen();
  for (const [id] of assembly.ofType('AWS::ApiGatewayV2::Api')) {
    locals[`${id}.ApiEndpoint`] = gateway.url;
  }
  const endpoints = {
    dynamodb: dynamoEndpoint,
    secretsManager: secrets.url,
    eventBridge: aws.url,
    lambda: aws.url,
    sesv2: ses.url,
  };
  pool = startLambdaPool(assembly.functions, (fn) => lambdaEnvironment(fn, locals, endpoints));
  const running = pool;

  return {
    assembly,
    gateway,
    pool: running,
    secrets,
    aws,
    ses,
    locals,
    async stop() {
      await running.stop();
      await Promise.all([gateway.stop(), aws.stop(), secrets.stop(), ses.stop()]);
      assembly.cleanUp();
    },
  };
};
