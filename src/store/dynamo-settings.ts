import { type TableName, tables } from './schema';

/** Where DynamoDB is. Imports no SDK, so the authorizer can load the SDK only when needed. */
export interface DynamoSettings {
  /** Set for DynamoDB Local; unset on AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
}

export const dynamoSettingsFromEnv = (env: Record<string, string | undefined>): DynamoSettings => ({
  endpoint: env.DYNAMODB_ENDPOINT || undefined,
  region: env.AWS_REGION || undefined,
});

export const dynamoClientConfig = ({ endpoint, region }: DynamoSettings) => ({
  ...(endpoint
    ? {
        endpoint,
        region: region ?? 'local',
        // DynamoDB Local accepts any credentials; these keep the SDK from looking for real ones.
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : region
      ? { region }
      : {}),
  maxAttempts: 3,
});

export type TableNames = Record<TableName, string>;

/** Table names from the environment (set by CDK), defaulting to the schema ids used locally. */
export const tableNamesFromEnv = (env: Record<string, string | undefined>): TableNames => ({
  users: env[tables.users.envVar] || tables.users.id,
  tokens: env[tables.tokens.envVar] || tables.tokens.id,
  audit: env[tables.audit.envVar] || tables.audit.id,
});
