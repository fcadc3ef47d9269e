import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../dev/dynamodb-local';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { createDynamoStore } from '../../src/store/dynamo-store';

/**
 * DynamoDB Local for this test file: the run's shared one (test/support/shared-dynamodb-setup.ts)
 * or, with `own`, a fresh one of its own (default table names, say); and a factory of empty
 * stores on it, each with its own tables.
 */
export const useDynamoDbLocal = (options: { own?: boolean } = {}) => {
  let local: DynamoDbLocal | undefined;
  let endpoint: string | undefined;
  const clients: ReturnType<typeof createDynamoClient>[] = [];
  beforeAll(async () => {
    if (options.own) {
      local = await startDynamoDbLocal();
      endpoint = local.endpoint;
    } else {
      endpoint = inject('sharedDynamoEndpoint');
    }
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await local?.stop();
  });
  return {
    endpoint: () => endpoint as string,
    freshStore: async () => {
      const client = createDynamoClient({ endpoint });
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
