import { type TableName, tables } from './schema';

/** Where DynamoDB is. Imports no SDK, so the authorizer can load the SDK only when needed. */
export interface DynamoSettings {
  /** Set for DynamoDB Local; unset on AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /**
   * The authorizer in another account or app: the role it reads Gatehouse's tables as
   * (GATEHOUSE_READER_ROLE_ARN, Gatehouse's AuthorizerReader); unset: the function's own role.
   */
  readerRoleArn?: string | undefined;
  /** The sts:ExternalId the reader role's trust asks for (GATEHOUSE_READER_EXTERNAL_ID). */
  readerExternalId?: string | undefined;
}

export const dynamoSettingsFromEnv = (env: Record<string, string | undefined>): DynamoSettings => ({
  endpoint: env.DYNAMODB_ENDPOINT || undefined,
  // An authorizer in another region reads Gatehouse's tables in theirs.
  region: env.GATEHOUSE_TABLES_REGION || env.AWS_REGION || undefined,
  readerRoleArn: env.GATEHOUSE_READER_ROLE_ARN || undefined,
  readerExternalId: env.GATEHOUSE_READER_EXTERNAL_ID || undefined,
});

/**
 * An AWS SDK client's endpoint settings: a local emulator (DynamoDB Local, the SES emulator)
 * with dummy credentials, which they accept and which keep the SDK from looking for real ones;
 * otherwise the region, when one is set.
 */
export const endpointClientConfig = ({
  endpoint,
  region,
}: {
  endpoint?: string | undefined;
  region?: string | undefined;
}) =>
  endpoint
    ? {
        endpoint,
        region: region ?? 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : region
      ? { region }
      : {};

/** What a failed DynamoDB call names to the caller (503 `unavailable`). */
export const DATABASE = 'The database';

export type TableNames = Record<TableName, string>;

/** Table names from the environment (set by CDK), defaulting to the schema ids used locally. */
export const tableNamesFromEnv = (env: Record<string, string | undefined>): TableNames => ({
  users: env[tables.users.envVar] || tables.users.id,
  tokens: env[tables.tokens.envVar] || tables.tokens.id,
  audit: env[tables.audit.envVar] || tables.audit.id,
});
