/**
 * Defense in depth at the gateway (issue 16): HTTP APIs cannot shape a gateway's own 401/403
 * body, so Gatehouse does not rely on the gateway to deny; instead every `bearer` route's real
 * handler (the entry its bundle runs, functions/<entry>.ts) must fail closed by itself. The
 * routes come from the route table, so a new route is covered without touching this file.
 *
 * Invariant: a bearer route answers 401 (or the refusal the authorizer carried) and writes
 * nothing, whatever the authorizer context: none, a deny verdict, or a malformed or forged one;
 * an `optional` route answers as for an anonymous caller without one, and 401 with a refusal
 * or a malformed one. "Writes nothing": every table on DynamoDB Local (the audit included) is
 * the same before and after, item for item.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionName, functionSpecs } from '../../src/http/functions';
import type { HttpEvent } from '../../src/http/http-event';
import type { HttpResult } from '../../src/http/responses';
import { type Route, routeKey, routes } from '../../src/http/routes';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { useDynamoDbLocal } from '../support/dynamodb';
import { httpEvent } from '../support/pipeline';
import { aUser } from '../support/users';

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

const local = useDynamoDbLocal();
const prefix = `closed${Date.now()}`;
const names: TableNames = {
  users: `${prefix}-Users`,
  tokens: `${prefix}-Tokens`,
  audit: `${prefix}-Audit`,
};
/** A real active owner: a forged context naming them would act as them if read as a caller. */
const owner = aUser({ role: 'owner', email: 'owner@closed.test', username: 'closed-owner' });
const allScopes = 'profile users:read users:write clients:read clients:write api_tokens:write';
const savedEnv = { ...process.env };
const handlers = new Map<FunctionName, Handler>();
let client: ReturnType<typeof createDynamoClient>;

/** Every item of every table, in a stable order: what "nothing was written" compares. */
const snapshot = async () => {
  const all: string[] = [];
  for (const TableName of Object.values(names)) {
    const { Items = [] } = await client.send(new ScanCommand({ TableName, ConsistentRead: true }));
    all.push(...Items.map((item) => `${TableName} ${JSON.stringify(item)}`));
  }
  return all.sort();
};

beforeAll(async () => {
  client = createDynamoClient({ endpoint: local.endpoint() });
  await createTables(client, names);
  await createDynamoStore(createDocumentClient(client), names).createUser(owner);
  const dir = mkdtempSync(join(tmpdir(), 'gh-closed-'));
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: local.endpoint(),
    USERS_TABLE: names.users,
    TOKENS_TABLE: names.tokens,
    AUDIT_TABLE: names.audit,
    ISSUER_URL: 'https://gatehouse.test',
    SIGNING_KEYS_FILE: join(dir, 'keys.json'),
    LOG_LEVEL: 'silent',
  });
  // The entries the bundles run, each imported once, as a cold start would.
  const served = [...new Set(routes.map((route) => route.function))];
  for (const name of served) {
    const entry = functionSpecs[name].entry;
    const module = (await import(`../../functions/${entry}`)) as { handler: Handler };
    handlers.set(name, module.handler);
  }
});
afterAll(() => {
  process.env = savedEnv;
  client?.destroy();
});

const lambdaContext = { awsRequestId: 'closed', functionName: 'test' } as unknown as Context;

/** The event API Gateway hands the function, with this authorizer context (or none). */
const eventFor = (route: Route, authorizer: Record<string, unknown> | undefined): HttpEvent => {
  const key = routeKey(route);
  const base = httpEvent(key);
  const pathParameters = Object.fromEntries(
    [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((match) => [match[1], 'x1']),
  );
  return {
    ...base,
    rawPath: route.path.replace(/\{(\w+)\+?\}/g, 'x1'),
    headers: {
      accept: 'application/json',
      'content-type': route.form ? 'application/x-www-form-urlencoded' : 'application/json',
    },
    body: route.form ? '' : '{}',
    pathParameters,
    requestContext: {
      ...base.requestContext,
      authorizer: authorizer === undefined ? undefined : { lambda: authorizer },
    },
  } as HttpEvent;
};

/** A caller as the authorizer writes one, for the real owner, with every scope. */
const ownerContext = {
  principal: 'user',
  sub: owner.id,
  role: 'owner',
  scope: allScopes,
  sid: 's1',
  jti: 'j1',
  username: 'closed-owner',
  email: owner.email,
  user_type: 'human',
  client_id: '',
};

const noContext: [string, Record<string, unknown> | undefined][] = [
  ['no authorizer at all', undefined],
  ['an empty context', {}],
  ['the anonymous marker', { principal: 'none' }],
];
const denials: [string, Record<string, unknown>][] = [
  ['a deny verdict: token_invalid', { error_code: 'token_invalid', error_message: 'No.' }],
  ['a deny verdict: token_expired', { error_code: 'token_expired', error_message: 'Old.' }],
];
const forged: [string, Record<string, unknown>][] = [
  ['a principal with no fields', { principal: 'user' }],
  ['a principal with no subject', { ...ownerContext, sub: '' }],
  ['a subject of the wrong type', { ...ownerContext, sub: [owner.id] }],
  ['a scope of the wrong type', { ...ownerContext, scope: 42 }],
  ['an unknown principal kind', { ...ownerContext, principal: 'admin' }],
  ['the anonymous marker with a caller beside it', { ...ownerContext, principal: 'none' }],
  ['a refusal code that is not one', { error_code: 'ok', error_message: 'fine' }],
  ['a refusal of the wrong type beside a caller', { ...ownerContext, error_code: 0 }],
  ['a whole verdict (for another route) as context', { isAuthorized: true, context: ownerContext }],
];

const call = async (route: Route, authorizer: Record<string, unknown> | undefined) => {
  const handler = handlers.get(route.function);
  if (!handler) throw new Error(`no handler for ${route.function}`);
  return handler(eventFor(route, authorizer), lambdaContext);
};

/** Calls the route, and checks the tables are exactly as before. */
const callWritingNothing = async (
  route: Route,
  authorizer: Record<string, unknown> | undefined,
) => {
  const before = await snapshot();
  const result = await call(route, authorizer);
  expect(await snapshot(), `${routeKey(route)} wrote`).toEqual(before);
  return result;
};

const bearerRoutes = routes.filter((route) => route.auth === 'bearer');
const optionalRoutes = routes.filter((route) => route.auth === 'optional');

it('covers every bearer and optional route of the table', () => {
  expect(bearerRoutes.length).toBeGreaterThan(20);
  expect(optionalRoutes.length).toBeGreaterThan(0);
  // A real caller does reach an action: the refusals below are not a handler that always fails.
  expect(routes.some((route) => routeKey(route) === 'GET /me')).toBe(true);
});

it('a well-formed caller context does reach the action (the control)', async () => {
  const me = routes.find((route) => routeKey(route) === 'GET /me') as Route;
  const result = await call(me, ownerContext);
  expect(result.statusCode).toBe(200);
});

describe.each(bearerRoutes.map((route) => [routeKey(route), route] as const))(
  'bearer route %s',
  (_key, route) => {
    it.each([...noContext, ...forged])(
      'answers 401 and writes nothing with %s',
      async (_what, context) => {
        const result = await callWritingNothing(route, context);
        expect(result.statusCode).toBe(401);
      },
    );

    it.each(denials)('answers the refusal and writes nothing with %s', async (_what, context) => {
      const result = await callWritingNothing(route, context);
      expect(result.statusCode).toBe(401);
    });
  },
);

describe.each(optionalRoutes.map((route) => [routeKey(route), route] as const))(
  'optional route %s',
  (_key, route) => {
    it.each(noContext)('answers as for an anonymous caller with %s', async (_what, context) => {
      const anonymous = await call(route, undefined);
      const result = await call(route, context);
      expect(result.statusCode).toBe(anonymous.statusCode);
    });

    it.each([...denials, ...forged])(
      'answers 401 and writes nothing with %s',
      async (_what, context) => {
        const result = await callWritingNothing(route, context);
        expect(result.statusCode).toBe(401);
      },
    );
  },
);
