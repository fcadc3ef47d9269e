import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import type { AuditEvent } from '../../src/core/audit/audit';
import { auditItem } from '../../src/store/dynamo-audit';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import { tables } from '../../src/store/schema';

/**
 * Writes events straight into the running local stack's audit table (the one its env names),
 * 25 per request: many events, or ones no API call makes, without minutes of requests.
 */
export const writeAuditEvents = async (events: AuditEvent[]) => {
  const endpoint = inject('sharedDynamoEndpoint') ?? process.env.DYNAMODB_ENDPOINT;
  const db = createDocumentClient(createDynamoClient({ endpoint, region: 'local' }));
  const table = process.env[tables.audit.envVar] as string;
  try {
    for (let i = 0; i < events.length; i += 25) {
      let items: Record<string, unknown>[] | undefined = events.slice(i, i + 25).map((e) => ({
        PutRequest: { Item: auditItem(e, Date.UTC(2027, 11, 1)) },
      }));
      while (items?.length) {
        const done = await db.send(new BatchWriteCommand({ RequestItems: { [table]: items } }));
        items = done.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
      }
    }
  } finally {
    db.destroy();
  }
};
