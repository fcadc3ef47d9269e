/**
 * The authorizer in another account reads Gatehouse's tables as the AuthorizerReader role:
 * with GATEHOUSE_READER_ROLE_ARN set, the real authorizer (authorizerFromEnv) assumes that role
 * once, with its own credentials, and signs every DynamoDB request with the role's temporary
 * credentials; without it, with its own. A fake STS on localhost answers AssumeRole (no
 * network); DynamoDB Local, behind a proxy that records each request's signer, holds the items.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../src/core/tokens/access-tokens';
import { apiTokenDigest, newApiTokenSecret } from '../../src/core/tokens/api-token-secret';
import { currentSigner, newSigningKeySet, publicJwks } from '../../src/core/tokens/signing-keys';
import { authorizerFromEnv } from '../../src/http/authorizer-from-env';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { readerSessionName } from '../../src/store/lazy-dynamo-client';
import { keys } from '../../src/store/schema';
import { useDynamoDbLocal } from '../support/dynamodb';
import { recordingProxy } from '../support/recording-proxy';

const readerRoleArn = 'arn:aws:iam::111111111111:role/Gatehouse-AuthorizerReader';
const functionKeyId = 'AKIDAUTHORIZERFUNCTION';
const roleKeyId = 'ASIAREADERROLESESSION';
const roleSessionToken = 'reader-session-token';

/** STS on localhost: answers every AssumeRole with the same temporary credentials, an hour long. */
const fakeSts = async () => {
  const calls: { params: URLSearchParams; accessKeyId: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      calls.push({
        params: new URLSearchParams(body),
        accessKeyId: /Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? '',
      });
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
          `<Credentials><AccessKeyId>${roleKeyId}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>` +
          `<SessionToken>${roleSessionToken}</SessionToken><Expiration>${expires}</Expiration></Credentials>` +
          `<AssumedRoleUser><Arn>${readerRoleArn}/${readerSessionName}</Arn><AssumedRoleId>AROAEXAMPLE:${readerSessionName}</AssumedRoleId></AssumedRoleUser>` +
          '</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>',
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
};

const local = useDynamoDbLocal();
const issuer = 'https://gatehouse.test';
const now = Date.now();
const names: TableNames = {
  users: `role-${now}-Users`,
  tokens: `role-${now}-Tokens`,
  audit: `role-${now}-Audit`,
};
const keySet = newSigningKeySet(now);
const apiSecret = newApiTokenSecret();
const { hash, tokenId } = apiTokenDigest(apiSecret);
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let sts: Awaited<ReturnType<typeof fakeSts>>;
const savedEnv = { ...process.env };

beforeAll(async () => {
  const client = createDynamoClient({ endpoint: local.endpoint() });
  await createTables(client, names);
  const direct = createDocumentClient(client);
  const put = (table: string, item: Record<string, unknown>) =>
    direct.send(new PutCommand({ TableName: table, Item: item }));
  await createDynamoStore(direct, names).publishKeys(keySet.generation, publicJwks(keySet).keys);
  await put(names.users, { ...keys.user('u1'), role: 'admin', status: 'active', type: 'human' });
  await put(names.tokens, { ...keys.session('s1'), userId: 'u1', expiresAt: now + 3_600_000 });
  await put(names.tokens, {
    ...keys.apiToken(tokenId),
    tokenId,
    hash,
    name: 'ci',
    userId: 'u1',
    createdBy: 'u1',
    createdAt: now,
    renewable: false,
  });
  proxy = await recordingProxy(local.endpoint());
  sts = await fakeSts();
  // What Lambda gives the function: its own role's credentials in the environment.
  process.env.AWS_ACCESS_KEY_ID = functionKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = 'function-secret';
  process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
});
afterAll(async () => {
  process.env = savedEnv;
  await proxy?.close();
  await sts?.close();
});

const event = (authorization: string): APIGatewayRequestAuthorizerEventV2 =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:222222222222:api/$default/GET/things',
    identitySource: [authorization],
    routeKey: 'GET /things',
    rawPath: '/things',
    rawQueryString: '',
    headers: { authorization },
    requestContext: {},
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

const jwt = () =>
  signAccessToken(currentSigner(keySet), {
    iss: issuer,
    aud: issuer,
    sub: 'u1',
    iat: Math.floor(now / 1000),
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

/** A fresh authorizer (a cold start) and the DynamoDB requests it sent to allow both tokens. */
const authorizeBoth = async (env: Record<string, string>) => {
  const start = proxy.recorded.length;
  const authorize = authorizerFromEnv({
    DYNAMODB_ENDPOINT: proxy.endpoint,
    USERS_TABLE: names.users,
    TOKENS_TABLE: names.tokens,
    ISSUER_URL: issuer,
    REVOCATION_CACHE_SECONDS: '1',
    ...env,
  }) as (event: APIGatewayRequestAuthorizerEventV2) => Promise<{ isAuthorized: boolean }>;
  expect(await authorize(event(`Bearer ${jwt()}`))).toMatchObject({ isAuthorized: true });
  expect(await authorize(event(`Bearer ${apiSecret}`))).toMatchObject({ isAuthorized: true });
  expect(await authorize(event(`Bearer ${jwt()}`))).toMatchObject({ isAuthorized: true });
  return proxy.recorded.slice(start);
};

describe('with GATEHOUSE_READER_ROLE_ARN', () => {
  let sent: Awaited<ReturnType<typeof authorizeBoth>>;
  beforeAll(async () => {
    sent = await authorizeBoth({ GATEHOUSE_READER_ROLE_ARN: readerRoleArn });
  });

  it('assumes the reader role once, as the function, under its session name', () => {
    expect(sts.calls).toHaveLength(1);
    const [call] = sts.calls;
    expect(call?.params.get('Action')).toBe('AssumeRole');
    expect(call?.params.get('RoleArn')).toBe(readerRoleArn);
    expect(call?.params.get('RoleSessionName')).toBe(readerSessionName);
    expect(call?.accessKeyId).toBe(functionKeyId);
  });

  it("signs every DynamoDB read and the lastUsedAt stamp with the role's credentials", () => {
    expect(new Set(sent.map((r) => r.operation))).toEqual(
      new Set(['GetItem', 'Query', 'UpdateItem']),
    );
    for (const request of sent) {
      expect(request.accessKeyId, request.operation).toBe(roleKeyId);
      expect(request.sessionToken, request.operation).toBe(roleSessionToken);
    }
  });
});

it('without it, signs with its own credentials and calls no STS', async () => {
  const before = sts.calls.length;
  const sent = await authorizeBoth({});
  expect(sent.length).toBeGreaterThan(0);
  expect(new Set(sent.map((r) => r.accessKeyId))).toEqual(new Set(['local']));
  expect(sts.calls.length).toBe(before);
});
