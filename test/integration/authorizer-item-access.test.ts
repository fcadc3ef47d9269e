/**
 * Finding 6, from the code's side: DynamoDB Local enforces no IAM, so every request the real
 * authorizer (authorizerFromEnv, its real store adapters) and discovery's store send is recorded
 * on the wire by a proxy in front of DynamoDB Local, then replayed against the IAM statements CDK
 * makes of their item grants (lib/functions.ts itemGrantStatement).
 *
 * Invariants: the authorizer sends only GetItem, UpdateItem and consistent Queries of the
 * revocation feed's partitions (no other partition's Query is allowed); its writes set `lastUsedAt`
 * and `lastUsedFrom` of an API token (every other attribute as it was) and ADD `token_uses` to the
 * activity counters; every request it or discovery
 * sends is one its role allows (so the least-privilege role really runs it), and each grant is
 * used (none is wider in kinds of item than the code needs).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemGrantStatement } from '../../lib/functions';
import { signAccessToken } from '../../src/core/tokens/access-tokens';
import { apiTokenDigest, newApiTokenSecret } from '../../src/core/tokens/api-token-secret';
import { currentSigner, newSigningKeySet, publicJwks } from '../../src/core/tokens/signing-keys';
import { authorizerFromEnv } from '../../src/http/authorizer-from-env';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { createDynamoStore } from '../../src/store/dynamo-store';
import {
  authorizerItemAccess,
  countingAuthorizerItemAccess,
  discoveryItemAccess,
  type ItemGrant,
} from '../../src/store/item-access';
import { allRevocationShards } from '../../src/store/revocation-feed';
import { keys, type TableName } from '../../src/store/schema';
import { type IamStatement, isAllowed, requestContext } from '../support/dynamo-iam';
import { useDynamoDbLocal } from '../support/dynamodb';
import { recordingProxy } from '../support/recording-proxy';

/** The IAM statements CDK makes of these item grants, per table name. */
const statementsOf = (
  access: Partial<Record<TableName, readonly ItemGrant[]>>,
  names: TableNames,
): Map<string, IamStatement[]> => {
  const stack = new Stack(new App(), 'Grants');
  const byTable = new Map<string, IamStatement[]>();
  for (const [name, grants] of Object.entries(access) as [TableName, ItemGrant[]][]) {
    const table = Table.fromTableName(stack, name, names[name]);
    byTable.set(
      names[name],
      grants.map((grant) => itemGrantStatement(table, grant).toStatementJson() as IamStatement),
    );
  }
  return byTable;
};

const local = useDynamoDbLocal();
const issuer = 'https://gatehouse.test';
const now = Date.now();
const names: TableNames = {
  users: `iam-${now}-Users`,
  tokens: `iam-${now}-Tokens`,
  audit: `iam-${now}-Audit`,
};
const keySet = newSigningKeySet(now);
const apiSecret = newApiTokenSecret();
const { hash, tokenId } = apiTokenDigest(apiSecret);
const clientId = 'gh_abcdefghijklmnopqrstuvwx';
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let direct: ReturnType<typeof createDocumentClient>;

beforeAll(async () => {
  const client = createDynamoClient({ endpoint: local.endpoint() });
  await createTables(client, names);
  direct = createDocumentClient(client);
  const put = (table: string, item: Record<string, unknown>) =>
    direct.send(new PutCommand({ TableName: table, Item: item }));
  await createDynamoStore(direct, names).publishKeys(keySet.generation, publicJwks(keySet).keys);
  await put(names.users, {
    ...keys.user('u1'),
    role: 'admin',
    status: 'active',
    type: 'human',
    email: 'ann@example.com',
    passwordHash: 'bcrypt-sha256$never-read',
  });
  await put(names.tokens, {
    ...keys.session('s1'),
    userId: 'u1',
    createdAt: now,
    expiresAt: now + 3_600_000,
  });
  await put(names.tokens, {
    ...keys.apiToken(tokenId),
    tokenId,
    hash,
    name: 'ci',
    userId: 'u1',
    createdBy: 'u1',
    createdAt: now,
    renewable: false,
    kindPk: 'APITOKEN',
    kindSk: `${now}#${tokenId}`,
  });
  await put(names.tokens, { ...keys.client(clientId), clientId, secretHash: 'never-read' });
  proxy = await recordingProxy(local.endpoint());
});
afterAll(async () => {
  await proxy?.close();
});

const LONG_AGENT = `ci-bot/${'x'.repeat(300)}`;

const event = (authorization: string): APIGatewayRequestAuthorizerEventV2 =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:111122223333:api/$default/GET/things',
    identitySource: [authorization],
    routeKey: 'GET /things',
    rawPath: '/things',
    rawQueryString: '',
    headers: { authorization, 'x-api-key': clientId },
    requestContext: { http: { sourceIp: '203.0.113.7', userAgent: LONG_AGENT } },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('the authorizer, through a recording proxy', () => {
  const since = () => proxy.recorded.length;
  let start = 0;
  let before: Record<string, unknown> | undefined;

  beforeAll(async () => {
    before = (
      await direct.send(new GetCommand({ TableName: names.tokens, Key: keys.apiToken(tokenId) }))
    ).Item;
    start = since();
    const authorize = authorizerFromEnv({
      DYNAMODB_ENDPOINT: proxy.endpoint,
      USERS_TABLE: names.users,
      TOKENS_TABLE: names.tokens,
      AUDIT_TABLE: names.audit,
      TOKEN_USE_FLUSH_SECONDS: '1',
      ISSUER_URL: issuer,
      REQUIRE_API_KEY: '1',
      REVOCATION_CACHE_SECONDS: '1',
      // A lookback of 900 s: the older token below is past it, so its session is read.
      ACCESS_TOKEN_TTL_SECONDS: '600',
    }) as (event: APIGatewayRequestAuthorizerEventV2) => Promise<{ isAuthorized: boolean }>;
    const jwtIssuedAt = (iat: number) =>
      signAccessToken(currentSigner(keySet), {
        iss: issuer,
        aud: issuer,
        sub: 'u1',
        iat,
        exp: Math.floor(now / 1000) + 600,
        jti: 'j1',
        scope: 'profile',
        role: 'admin',
        username: 'ann',
        email: 'ann@example.com',
        user_type: 'human',
        groups: [],
        sid: 's1',
      });
    // Every credential kind must pass: the recorded requests are those of real grants. A
    // fresh token is decided by the feed, one issued before its coverage by its session.
    const fresh = jwtIssuedAt(Math.floor(now / 1000));
    const older = jwtIssuedAt(Math.floor(now / 1000) - 2000);
    expect(await authorize(event(`Bearer ${fresh}`))).toMatchObject({ isAuthorized: true });
    expect(await authorize(event(`Bearer ${older}`))).toMatchObject({ isAuthorized: true });
    expect(await authorize(event(`Bearer ${apiSecret}`))).toMatchObject({ isAuthorized: true });
    // Its use is counted in memory and added to the activity counters within the interval.
    await new Promise((done) => setTimeout(done, 1_500));
  });

  const sent = () => proxy.recorded.slice(start);

  it('sends only GetItem, UpdateItem and consistent Queries of the revocation feed', () => {
    expect(sent().length).toBeGreaterThan(0);
    expect([...new Set(sent().map((r) => r.operation))].sort()).toEqual([
      'GetItem',
      'Query',
      'UpdateItem',
    ]);
    const queries = sent().filter((r) => r.operation === 'Query');
    expect(queries.every((r) => r.body.ConsistentRead === true && !r.body.IndexName)).toBe(true);
    const partitions = queries.map((r) => requestContext('Query', r.body).context.LeadingKeys);
    expect(new Set(partitions.flat())).toEqual(
      new Set(allRevocationShards.map((n) => `REVOKED#${n}`)),
    );
  });

  it('may Query no partition but the feed, nor project more than its sort key', () => {
    const statements = statementsOf(authorizerItemAccess, names).get(names.tokens) ?? [];
    const query = (pk: string, projection = 'sk') =>
      requestContext('Query', {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ProjectionExpression: projection,
      });
    expect(isAllowed(statements, query('REVOKED#0'))).toBe(true);
    for (const pk of [
      'SESSION#s1',
      `APITOKEN#${tokenId}`,
      'JWKS',
      `CLIENT#${clientId}`,
      'REFRESH#x',
    ]) {
      expect(isAllowed(statements, query(pk)), pk).toBe(false);
    }
    expect(isAllowed(statements, query('REVOKED#0', 'sk, secretHash'))).toBe(false);
    const users = statementsOf(authorizerItemAccess, names).get(names.users) ?? [];
    expect(isAllowed(users, query('USER#u1', 'role'))).toBe(false);
  });

  it('updates only lastUsedAt and lastUsedFrom of the API token, returning nothing', async () => {
    const updates = sent().filter((r) => r.operation === 'UpdateItem' && r.table === names.tokens);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body.Key).toEqual({
      pk: { S: `APITOKEN#${tokenId}` },
      sk: { S: 'APITOKEN' },
    });
    expect(updates[0]?.body.ReturnValues ?? 'NONE').toBe('NONE');
    const after = (
      await direct.send(new GetCommand({ TableName: names.tokens, Key: keys.apiToken(tokenId) }))
    ).Item;
    const { lastUsedAt, lastUsedFrom, ...unchanged } = after ?? {};
    expect(unchanged).toEqual(before);
    expect(lastUsedAt).toBeGreaterThanOrEqual(now);
    // The user agent is cut to 200 characters.
    expect(lastUsedFrom).toEqual({ ip: '203.0.113.7', userAgent: LONG_AGENT.slice(0, 200) });
  });

  it('adds the token use to the activity counters with ADD, naming only token_uses and ttl', () => {
    const counts = sent().filter((r) => r.operation === 'UpdateItem' && r.table === names.audit);
    // The hour's and the day's counter, one write each.
    expect(counts).toHaveLength(2);
    for (const { body } of counts) {
      expect(String(body.UpdateExpression)).toMatch(/^SET #ttl = :ttl ADD #m0 :m0$/);
      expect(body.ExpressionAttributeNames).toEqual({ '#ttl': 'ttl', '#m0': 'token_uses' });
      expect(String((body.Key as { pk: { S: string } }).pk.S)).toMatch(/^ACTIVITY#[HD]#\d+$/);
    }
    // Another counter, or another partition of the audit table, is refused.
    const audit = statementsOf(countingAuthorizerItemAccess, names).get(names.audit) ?? [];
    const add = (pk: string, attribute: string) =>
      requestContext('UpdateItem', {
        Key: { pk: { S: pk }, sk: { S: '2026-01-01' } },
        UpdateExpression: 'ADD #m :m',
        ExpressionAttributeNames: { '#m': attribute },
      });
    expect(isAllowed(audit, add('ACTIVITY#D#0', 'token_uses'))).toBe(true);
    expect(isAllowed(audit, add('ACTIVITY#D#0', 'sign_ins'))).toBe(false);
    expect(isAllowed(audit, add('EVENT#e1', 'token_uses'))).toBe(false);
  });

  it('sends nothing its least-privilege role would refuse, and uses every grant', () => {
    const statements = statementsOf(countingAuthorizerItemAccess, names);
    const used = new Set<IamStatement>();
    for (const { operation, table, body } of sent()) {
      const request = requestContext(operation, body);
      const onTable = statements.get(table) ?? [];
      expect(isAllowed(onTable, request), `${operation} ${JSON.stringify(body.Key)}`).toBe(true);
      for (const statement of onTable) if (isAllowed([statement], request)) used.add(statement);
    }
    expect(used.size).toBe([...statements.values()].flat().length);
  });
});

it("no reader role reaches a login guard's password hint, nor the user's hash", () => {
  const roles = [
    statementsOf(authorizerItemAccess, names),
    statementsOf(discoveryItemAccess, names),
  ];
  const reads = [keys.email('a@example.com'), keys.username('a'), keys.user('u1')].flatMap((key) =>
    ['passwordHashHint', 'passwordHash'].map((attribute) =>
      requestContext('GetItem', {
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
        ProjectionExpression: '#a',
        ExpressionAttributeNames: { '#a': attribute },
      }),
    ),
  );
  // The same kind of read of what the authorizer may see is allowed: the refusals are real.
  const standing = requestContext('GetItem', {
    Key: { pk: { S: keys.user('u1').pk }, sk: { S: 'USER' } },
    ProjectionExpression: '#a',
    ExpressionAttributeNames: { '#a': 'role' },
  });
  expect(isAllowed(roles[0]?.get(names.users) ?? [], standing)).toBe(true);
  for (const statements of roles) {
    for (const request of reads) {
      expect(isAllowed(statements.get(names.users) ?? [], request)).toBe(false);
    }
  }
});

it("discovery's store reads only what its role allows", async () => {
  const start = proxy.recorded.length;
  const client = createDynamoClient({ endpoint: proxy.endpoint });
  try {
    const published = await createDynamoStore(
      createDocumentClient(client),
      names,
    ).getPublishedKeys();
    expect(published?.keys).toEqual(publicJwks(keySet).keys);
  } finally {
    client.destroy();
  }
  const sent = proxy.recorded.slice(start);
  const statements = statementsOf(discoveryItemAccess, names);
  expect(sent.map((r) => r.operation)).toEqual(['GetItem']);
  for (const { operation, table, body } of sent) {
    expect(isAllowed(statements.get(table) ?? [], requestContext(operation, body))).toBe(true);
  }
});
