import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { TableNames } from './dynamo-settings';
import { type TableName, type TableSchema, tables } from './schema';

/** Table administration is slow on a busy DynamoDB Local: past the request budget's attempt. */
const ADMINISTRATION_TIMEOUT = { requestTimeout: 60_000 };

const createTable = async (client: DynamoDBClient, name: string, schema: TableSchema) => {
  const attributes = new Set([
    schema.partitionKey,
    schema.sortKey,
    ...schema.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((AttributeName) => ({
          AttributeName,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: schema.partitionKey, KeyType: 'HASH' },
          { AttributeName: schema.sortKey, KeyType: 'RANGE' },
        ],
        ...(schema.indexes.length
          ? {
              GlobalSecondaryIndexes: schema.indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              })),
            }
          : {}),
      }),
      ADMINISTRATION_TIMEOUT,
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) return; // already there
    throw error;
  }
  if (schema.ttlAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: schema.ttlAttribute, Enabled: true },
      }),
      ADMINISTRATION_TIMEOUT,
    );
  }
};

/** Creates every table of the schema that does not exist yet (local server and tests). */
export const createTables = async (client: DynamoDBClient, names: TableNames): Promise<void> => {
  for (const table of Object.keys(tables) as TableName[]) {
    await createTable(client, names[table], tables[table]);
  }
};
