/**
 * DynamoDB capacity units of a sign-in, a refresh and a request through the authorizer,
 * measured by DynamoDB Local's ReturnConsumedCapacity (indexes included) through a proxy: the
 * inputs of the cost arithmetic in docs/aws.md ("What it costs").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../dev/dynamodb-local';
import { capacityProxy, type Units } from './lib/capacity-proxy';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';

const RUNS = 10;
const EMAIL = 'owner@capacity.example.com';
const PASSWORD = 'a bench passphrase for capacity';

export const main = async (): Promise<Figure[]> => {
  const dynamo = await startDynamoDbLocal();
  const proxy = await capacityProxy(dynamo.endpoint);
  const keysDir = mkdtempSync(join(tmpdir(), 'gatehouse-capacity-'));
  process.env.LOG_LEVEL = 'warn';
  const { startLocalStack } = await import('../dev/local-stack');
  const stack = await startLocalStack({
    dynamoEndpoint: proxy.endpoint,
    keysFile: join(keysDir, 'keys.json'),
    env: { DEFAULT_OWNER_EMAIL: EMAIL, DEFAULT_OWNER_PASSWORD: PASSWORD },
  });
  try {
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${stack.url}${path}`, {
        method,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await response.json()) as Record<string, string>;
      if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const signIn = () => call('POST', '/auth/sign-in', { login: EMAIL, password: PASSWORD });
    /** Units per run of `action`, over RUNS runs. */
    const measure = async (action: (run: number) => Promise<unknown>): Promise<Units> => {
      const before = { ...proxy.totals };
      for (let run = 0; run < RUNS; run++) await action(run);
      return {
        read: (proxy.totals.read - before.read) / RUNS,
        write: (proxy.totals.write - before.write) / RUNS,
        calls: (proxy.totals.calls - before.calls) / RUNS,
      };
    };
    await signIn();
    let refreshToken = (await signIn()).refresh_token ?? '';
    const signInUnits = await measure(signIn);
    const refreshUnits = await measure(async () => {
      refreshToken =
        (await call('POST', '/auth/refresh', { refresh_token: refreshToken })).refresh_token ?? '';
    });
    const fresh: string[] = [];
    for (let run = 0; run < RUNS; run++) fresh.push((await signIn()).access_token ?? '');
    const firstMe = await measure((run) => call('GET', '/me', undefined, fresh[run]));
    const againMe = await measure(() => call('GET', '/me', undefined, fresh[0]));
    heading(
      'DynamoDB capacity units per operation (ReturnConsumedCapacity INDEXES, DynamoDB Local)',
    );
    const row = (name: string, units: Units) => [
      name,
      units.read.toFixed(1),
      units.write.toFixed(1),
      units.calls.toFixed(1),
    ];
    print(
      markdownTable(
        ['operation', 'read units', 'write units', 'requests'],
        [
          row('sign-in (password, no factor)', signInUnits),
          row('refresh', refreshUnits),
          row('GET /me, first request of a session (authorizer + handler)', firstMe),
          row('GET /me, the same session again', againMe),
        ],
      ),
    );
    return [];
  } finally {
    await stack.stop();
    await proxy.close();
    await dynamo.stop();
    rmSync(keysDir, { recursive: true, force: true });
  }
};

runIfMain(import.meta.url, main);
