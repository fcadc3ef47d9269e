/**
 * The AWS SDK choice for the Lambda bundles: the runtime's SDK (`@aws-sdk/*` left external)
 * against the pinned SDK bundled in (esbuild inlines it, as lib/bundling.ts does). For each: bundle
 * size, import time and the first request's time in a fresh node process, median of RUNS.
 */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type FunctionName, functionSpecs } from '../src/http/functions';
import { tableNamesFromEnv } from '../src/store/dynamo-settings';
import { tables } from '../src/store/schema';
import { withLocalStack } from './lib/local-stack';
import { type Figure, heading, markdownTable, print } from './lib/report';
import { formatRatio, median } from './lib/stats';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/** Inside the project: the external variant resolves `@aws-sdk/*` as the runtime would provide it. */
const outDir = join(projectRoot, 'bench', '.tmp', 'bundles-sdk');
const RUNS = 9;
/** Functions whose first request goes through the SDK (DynamoDB): the authorizer and the JWKS. */
const MEASURED: FunctionName[] = ['authorizer', 'discovery'];
const OWNER_EMAIL = 'owner@bench.test';

type Choice = 'runtime SDK' | 'bundled SDK';
const choices: Choice[] = ['runtime SDK', 'bundled SDK'];

/** One fresh process: import the bundle, answer one event; both timed inside the child. */
const COLD_START_SCRIPT = `
const started = performance.now();
const { handler } = await import(process.argv[1]);
const imported = performance.now();
const result = await handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10000 });
const answered = performance.now();
console.log(JSON.stringify({ importMs: imported - started, requestMs: answered - imported, result }));`;

interface ColdStart {
  wallMs: number;
  importMs: number;
  requestMs: number;
  result: { statusCode?: number; isAuthorized?: boolean };
}

const buildChoice = async (
  name: FunctionName,
  choice: Choice,
  options: import('esbuild').BuildOptions,
): Promise<string> => {
  const file = join(outDir, choice.replace(' ', '-'), name, 'index.mjs');
  mkdirSync(join(file, '..'), { recursive: true });
  const others = (options.external ?? []).filter((module) => module !== '@aws-sdk/*');
  const external = choice === 'runtime SDK' ? ['@aws-sdk/*', ...others] : others;
  await build({
    ...options,
    external,
    entryPoints: [join(projectRoot, 'functions', functionSpecs[name].entry)],
    outfile: file,
    absWorkingDir: projectRoot,
    logLevel: 'warning',
  });
  return file;
};

const coldStart = (file: string, env: Record<string, string>, event: unknown): ColdStart => {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', COLD_START_SCRIPT, pathToFileURL(file).href],
    {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...env, BENCH_EVENT: JSON.stringify(event) },
    },
  );
  const wallMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`cold start of ${file} failed:\n${child.stderr}`);
  return { wallMs, ...JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') };
};

/** The payload 2.0 events the two functions receive, as API Gateway sends them. */
const events = (issuer: string, accessToken: string): Record<FunctionName, unknown> => {
  const request = (method: string, path: string, headers: Record<string, string>) => ({
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { host: new URL(issuer).host, ...headers },
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bench' },
      requestId: 'bench',
      routeKey: `${method} ${path}`,
      stage: '$default',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  });
  const me = request('GET', '/me', { authorization: `Bearer ${accessToken}` });
  return {
    authorizer: { ...me, type: 'REQUEST', identitySource: [`Bearer ${accessToken}`] },
    discovery: request('GET', '/.well-known/jwks.json', {}),
  } as Record<FunctionName, unknown>;
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

/**
 * Builds MEASURED both ways from the stack's own esbuild options, then times RUNS fresh
 * processes of each against a local stack (DynamoDB Local, published keys, a real owner's access
 * token), alternating the choices so both see the same machine.
 */
export const benchSdkChoice = async (
  optionsFor: (name: FunctionName) => import('esbuild').BuildOptions,
): Promise<Figure[]> => {
  heading('AWS SDK: the runtime one or a pinned one bundled in');
  rmSync(outDir, { recursive: true, force: true });
  const files = new Map<string, string>();
  for (const name of MEASURED) {
    for (const choice of choices) {
      files.set(`${name}:${choice}`, await buildChoice(name, choice, optionsFor(name)));
    }
  }
  const password = randomBytes(24).toString('base64url');
  const runs = await withLocalStack(
    { DEFAULT_OWNER_EMAIL: OWNER_EMAIL, DEFAULT_OWNER_PASSWORD: password },
    async (stack) => {
      const signIn = await fetch(`${stack.url}/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: OWNER_EMAIL, password }),
      });
      const { access_token: accessToken } = (await signIn.json()) as { access_token: string };
      const names = tableNamesFromEnv(process.env);
      // What Lambda gives the function, with DynamoDB Local in place of DynamoDB.
      const env = {
        PATH: process.env.PATH ?? '',
        NODE_OPTIONS: '--enable-source-maps',
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        LOG_LEVEL: 'silent',
        ISSUER_URL: stack.url,
        // Plain denials: a refused token answers isAuthorized false, and the run stops.
        AUTHORIZER_DENY_WITH_REASON: '0',
        [tables.users.envVar]: names.users,
        [tables.tokens.envVar]: names.tokens,
        [tables.audit.envVar]: names.audit,
      };
      const eventOf = events(stack.url, accessToken);
      const all = new Map<string, ColdStart[]>();
      for (let run = 0; run < RUNS; run++) {
        for (const name of MEASURED) {
          const order = run % 2 ? [...choices].reverse() : choices;
          for (const choice of order) {
            const key = `${name}:${choice}`;
            const result = coldStart(files.get(key) as string, env, eventOf[name]);
            const ok = result.result.statusCode === 200 || result.result.isAuthorized === true;
            if (!ok) throw new Error(`${key} answered ${JSON.stringify(result.result)}`);
            all.set(key, [...(all.get(key) ?? []), result]);
          }
        }
      }
      return all;
    },
  );

  const rows: string[][] = [];
  const figures: Figure[] = [];
  for (const name of MEASURED) {
    const measured = choices.map((choice) => {
      const file = files.get(`${name}:${choice}`) as string;
      const list = runs.get(`${name}:${choice}`) ?? [];
      return {
        choice,
        bytes: statSync(file).size,
        gzip: gzipSync(readFileSync(file)).length,
        importMs: median(list.map((r) => r.importMs)),
        requestMs: median(list.map((r) => r.requestMs)),
        wallMs: median(list.map((r) => r.wallMs)),
      };
    });
    for (const m of measured) {
      rows.push([
        name,
        m.choice,
        `${kib(m.bytes)} (gzip ${kib(m.gzip)})`,
        ms(m.importMs),
        ms(m.requestMs),
        ms(m.importMs + m.requestMs),
        ms(m.wallMs),
      ]);
    }
    const [runtime, bundled] = measured as [(typeof measured)[0], (typeof measured)[0]];
    const firstAnswer = (m: typeof runtime) => m.importMs + m.requestMs;
    figures.push({
      name: `${name}: bundled SDK / runtime SDK (size; import + first request)`,
      value: `${formatRatio(bundled.bytes / runtime.bytes)}; ${formatRatio(firstAnswer(bundled) / firstAnswer(runtime))} (${ms(firstAnswer(bundled))} vs ${ms(firstAnswer(runtime))})`,
      target: '-',
      meets: null,
    });
  }
  print(
    markdownTable(
      ['Function', 'SDK', 'index.mjs', 'import', 'first request', 'import + first', 'process wall'],
      rows,
    ),
  );
  print();
  print(
    [
      `Median of ${RUNS} fresh \`node\` processes per row, alternating the two choices; import and`,
      'first request timed inside the child (the request reads DynamoDB Local through the SDK:',
      'the authorizer verifies a real access token, discovery serves the published keys).',
      '"Runtime SDK" resolves `@aws-sdk/*` from node_modules as Lambda resolves it from',
      `/var/runtime/node_modules; "bundled SDK" inlines this project's pinned SDK. Node ${process.versions.node} here.`,
    ].join('\n'),
  );
  return figures;
};
