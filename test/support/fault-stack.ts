import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, inject } from 'vitest';
import { authorizerEvent } from '../../dev/lambda-events';
import {
  audienceFromEnv,
  issuerFromEnv,
  revocationCacheSecondsFromEnv,
} from '../../src/core/tokens/token-settings';
import { mfaRequiredRolesFromEnv, scopeCatalogFromEnv } from '../../src/core/users/roles';
import { accountActions } from '../../src/http/actions/account';
import {
  createTokenAction,
  getTokenAction,
  listTokensAction,
  renewTokenAction,
  revokeTokenAction,
} from '../../src/http/actions/api-tokens';
import { listAuditAction } from '../../src/http/actions/audit';
import {
  createClientAction,
  deleteClientAction,
  listClientsAction,
} from '../../src/http/actions/clients';
import { introspectAction, revokeAction } from '../../src/http/actions/oauth';
import { tokenAction } from '../../src/http/actions/oauth-token';
import { refresh, signOut } from '../../src/http/actions/sessions';
import { signInActions } from '../../src/http/actions/sign-in';
import { userInfoAction } from '../../src/http/actions/userinfo';
import {
  approveUserAction,
  createUserAction,
  deleteUserAction,
  getUserAction,
  listUsersAction,
  rejectUserAction,
  resetPasswordAction,
  resetUserFactorsAction,
  unlinkIdentityAction,
  updateUserAction,
} from '../../src/http/actions/users';
import { createAuthorizer } from '../../src/http/authorizer';
import { buildDeps } from '../../src/http/composition';
import { createHandler } from '../../src/http/handler';
import type { HttpEvent } from '../../src/http/http-event';
import type { HttpResult } from '../../src/http/responses';
import { apiTokenStateStore } from '../../src/store/api-token-state';
import { AWS_BUDGET } from '../../src/store/aws-client-budget';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { lazyDynamoClient } from '../../src/store/lazy-dynamo-client';
import { publishedKeysReader } from '../../src/store/published-keys';
import { sessionRevocationReader } from '../../src/store/session-state';
import { pageActions } from '../../src/web/pages';
import { createPagesHandler } from '../../src/web/pages-handler';
import { faultyProxy, injectFaults } from './faults';
import { httpEvent } from './pipeline';

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: () => Record<string, unknown>;
  /** Milliseconds from the request to its answer. */
  elapsed: number;
}

/**
 * Gatehouse's handlers (the real pipeline) and its authorizer on DynamoDB Local, each function
 * over the REAL SDK clients: the handlers' client takes faults through its middleware stack
 * (`faults`), the authorizer's own lazy client reaches the database through a TCP proxy that
 * can freeze or refuse (`authorizerLink`), as a paused or dead DynamoDB would.
 */
export const useFaultStack = () => {
  const prefix = `faults${randomUUID().slice(0, 8)}`;
  const names: TableNames = {
    users: `${prefix}-Users`,
    tokens: `${prefix}-Tokens`,
    audit: `${prefix}-Audit`,
  };
  // The handlers' client has AWS's budget (not the emulator's): what the contract bounds.
  const client = createDynamoClient({ endpoint: inject('sharedDynamoEndpoint') }, AWS_BUDGET);
  const faults = injectFaults(client);
  const observer = createDynamoClient({ endpoint: inject('sharedDynamoEndpoint') });
  const store = createDynamoStore(createDocumentClient(client), names);
  const env: Record<string, string> = {
    ISSUER_URL: 'https://gatehouse.test',
    SIGNING_KEYS_FILE: join(mkdtempSync(join(tmpdir(), 'gh-faults-')), 'keys.json'),
    USERS_TABLE: names.users,
    TOKENS_TABLE: names.tokens,
    AUDIT_TABLE: names.audit,
    LOG_LEVEL: 'silent',
  };
  const deps = buildDeps(env, store);
  /** The same tables through a client without faults: seeding and looking. */
  const healthyStore = createDynamoStore(createDocumentClient(observer), names);
  const seeded = buildDeps(env, healthyStore);
  const options = { deps: () => deps };
  const handlers = {
    signIn: createHandler('signIn', signInActions, options),
    token: createHandler(
      'token',
      { 'POST /auth/refresh': refresh, 'POST /auth/sign-out': signOut },
      options,
    ),
    account: createHandler('account', accountActions, options),
    apiTokens: createHandler(
      'apiTokens',
      {
        'GET /tokens': listTokensAction,
        'POST /tokens': createTokenAction,
        'GET /tokens/{token_id}': getTokenAction,
        'DELETE /tokens/{token_id}': revokeTokenAction,
        'POST /tokens/{token_id}/renew': renewTokenAction,
      },
      options,
    ),
    users: createHandler(
      'users',
      {
        'GET /users': listUsersAction,
        'POST /users': createUserAction,
        'GET /users/{id}': getUserAction,
        'PATCH /users/{id}': updateUserAction,
        'DELETE /users/{id}': deleteUserAction,
        'POST /users/{id}/password': resetPasswordAction,
        'POST /users/{id}/approve': approveUserAction,
        'POST /users/{id}/reject': rejectUserAction,
        'DELETE /users/{id}/identities': unlinkIdentityAction,
        'DELETE /users/{id}/mfa': resetUserFactorsAction,
        'GET /audit': listAuditAction,
      },
      options,
    ),
    oauth: createHandler(
      'oauth',
      {
        'POST /oauth/token': tokenAction,
        'POST /oauth/introspect': introspectAction,
        'POST /oauth/revoke': revokeAction,
        'GET /oauth/userinfo': userInfoAction,
        'POST /oauth/userinfo': userInfoAction,
        'GET /clients': listClientsAction,
        'POST /clients': createClientAction,
        'DELETE /clients/{client_id}': deleteClientAction,
      },
      options,
    ),
    pages: createPagesHandler(pageActions, options),
  } satisfies Record<string, Handler>;
  let link: Awaited<ReturnType<typeof faultyProxy>> | undefined;
  let authorizer: ReturnType<typeof createAuthorizer> | undefined;

  beforeAll(async () => {
    await createTables(observer, names);
    link = await faultyProxy(inject('sharedDynamoEndpoint'));
    // The authorizer as authorizer-from-env.ts composes it for Gatehouse's own API
    // (deny-with-reason), its one lazy client with AWS's budget, reaching DynamoDB by `link`.
    const dynamo = lazyDynamoClient({ endpoint: link.endpoint }, AWS_BUDGET);
    authorizer = createAuthorizer({
      issuer: issuerFromEnv(env),
      audience: audienceFromEnv(env),
      now: Date.now,
      loadKeys: publishedKeysReader(dynamo, names.tokens),
      isSessionRevoked: sessionRevocationReader(dynamo, names.tokens),
      revocationCacheSeconds: revocationCacheSecondsFromEnv(env),
      apiTokens: apiTokenStateStore(dynamo, { tokens: names.tokens, users: names.users }),
      scopes: scopeCatalogFromEnv(env),
      mfaRequiredRoles: mfaRequiredRolesFromEnv(env),
      denyWithReason: true,
      defaultOwnerScope: null,
    });
  });
  afterAll(async () => {
    await link?.close();
    client.destroy();
    observer.destroy();
  });

  /**
   * One request as API Gateway runs it: the authorizer first when a token is sent, then the
   * function's handler. `path` fills the route's path (pages: the path itself).
   */
  const call = async (
    handler: keyof typeof handlers,
    routeKey: string,
    request: {
      token?: string;
      json?: unknown;
      form?: Record<string, string>;
      path?: string;
      query?: string;
      pathParameters?: Record<string, string>;
      accept?: string;
      cookies?: string[];
    } = {},
  ): Promise<Reply> => {
    const started = performance.now();
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    }
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    if (request.accept) headers.accept = request.accept;
    const event = httpEvent(routeKey, {
      headers,
      ...(body === undefined ? {} : { body }),
      ...(request.path ? { rawPath: request.path } : {}),
      ...(request.query ? { rawQueryString: request.query } : {}),
      ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
      ...(request.cookies ? { cookies: request.cookies } : {}),
    });
    event.requestContext.http.path = event.rawPath;
    if (request.token && authorizer) {
      const decision = (await authorizer(authorizerEvent(event))) as {
        context?: Record<string, string>;
      };
      event.requestContext.authorizer = { lambda: decision.context ?? {} } as never;
    }
    const result = await handlers[handler](event, {} as Context);
    const elapsed = performance.now() - started;
    const text = String(result.body ?? '');
    return {
      status: result.statusCode,
      headers: Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
      ),
      body: text,
      json: () => JSON.parse(text) as Record<string, unknown>,
      elapsed,
    };
  };

  /** Every item of every table, in a stable order: what "nothing was written" compares. */
  const snapshot = async (): Promise<string[]> => {
    const all: string[] = [];
    for (const TableName of Object.values(names)) {
      const { Items = [] } = await observer.send(
        new ScanCommand({ TableName, ConsistentRead: true }),
      );
      all.push(...Items.map((item) => `${TableName} ${JSON.stringify(item)}`));
    }
    return all.sort();
  };

  return {
    /** Dependencies over a client without faults, for seeding. */
    deps: seeded,
    /** The settings and a store without faults, for handlers a test composes itself. */
    env,
    healthyStore,
    faults,
    call,
    snapshot,
    /** The authorizer's link to DynamoDB: `pass`, `hang` (frozen) or `refuse` (gone). */
    authorizerLink: (mode: 'pass' | 'hang' | 'refuse') => link?.set(mode),
  };
};
