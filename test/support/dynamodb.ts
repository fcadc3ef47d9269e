import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../dev/dynamodb-local';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { createDynamoStore } from '../../src/store/dynamo-store';

/**
 * A fresh in-memory DynamoDB Local for this test file, and a factory of empty stores on it
 * (each with its own tables).
 */
export const useDynamoDbLocal = () => {
  let local: DynamoDbLocal | undefined;
  const clients: ReturnType<typeof createDynamoClient>[] = [];
  beforeAll(async () => {
    local = await startDynamoDbLocal();
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await local?.stop();
  });
  return {
    endpoint: () => local?.endpoint as string,
    freshStore: async () => {
      const client = createDynamoClient({ endpoint: local?.endpoint });
      clients.push(client);
      const prefix = randomUUID().slice(0, 8);
      const names: TableNames = {
        users: `${prefix}-Users`,
        tokens: `${prefix}-Tokens`,
        audit: `${prefix}-Audit`,
      };
      await createTables(client, names);
      return createDynamoStore(createDocumentClient(client), names);
    },
  };
};
