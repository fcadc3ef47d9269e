import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../core/audit/audit';
import type { AuditQuery, Page, Store } from '../core/shared/store';
import { epochSeconds, type Item, withoutKeys } from './dynamo-shared';
import { pageOfFound, queryPages } from './paged-query';
import { keys } from './schema';

const MAX_QUERIES_PER_PAGE = 10;

/** An audit event's item, with the keys of the indexes that list it. */
export const auditItem = (event: AuditEvent, expiresAt: number): Item => ({
  ...keys.auditEvent(event.id),
  ...event,
  timePk: 'AUDIT',
  atSk: `${event.at}#${event.id}`,
  ...(event.actor_id ? { actorPk: event.actor_id } : {}),
  ...(event.target_id ? { targetPk: event.target_id } : {}),
  actionPk: event.action,
  ttl: epochSeconds(expiresAt),
});

/** The audit log on DynamoDB: one item per event, four sparse indexes, newest first. */
export const createDynamoAudit = (
  db: DynamoDBDocumentClient,
  table: string,
): Pick<Store, 'writeAuditEvent' | 'listAuditEvents'> => ({
  async writeAuditEvent(event, expiresAt) {
    await db.send(new PutCommand({ TableName: table, Item: auditItem(event, expiresAt) }));
  },

  async listAuditEvents(query: AuditQuery): Promise<Page<AuditEvent>> {
    // The most selective filter picks the index; the others filter its results. Invariant: a
    // page reads at most MAX_QUERIES_PER_PAGE queries of `limit + 1` items, however few match.
    const [index, partition, value] = query.actorId
      ? (['byActor', 'actorPk', query.actorId] as const)
      : query.targetId
        ? (['byTarget', 'targetPk', query.targetId] as const)
        : query.action
          ? (['byAction', 'actionPk', query.action] as const)
          : (['byTime', 'timePk', 'AUDIT'] as const);
    const filters: string[] = [];
    const values: Item = {
      ':v': value,
      ':lo': query.since ?? '0',
      ':hi': `${query.until ?? '9999'}#\uffff`,
    };
    if (query.targetId && partition !== 'targetPk') {
      filters.push('target_id = :target');
      values[':target'] = query.targetId;
    }
    if (query.action && partition !== 'actionPk') {
      filters.push('#action = :action');
      values[':action'] = query.action;
    }
    if (query.outcome) {
      filters.push('outcome = :outcome');
      values[':outcome'] = query.outcome;
    }
    const found = await queryPages(
      db,
      {
        TableName: table,
        IndexName: index,
        KeyConditionExpression: '#p = :v AND atSk BETWEEN :lo AND :hi',
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ExpressionAttributeNames: {
          '#p': partition,
          ...(filters.some((f) => f.includes('#action')) ? { '#action': 'action' } : {}),
        },
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        ...(query.after ? { ExclusiveStartKey: query.after } : {}),
      },
      { limit: query.limit, maxRounds: MAX_QUERIES_PER_PAGE },
    );
    const page = pageOfFound(found, query.limit, ['pk', 'sk', partition, 'atSk']);
    return { items: page.items.map((item) => withoutKeys<AuditEvent>(item)), next: page.next };
  },
});
