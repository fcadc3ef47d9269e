import type { TableNames } from '../../src/store/dynamo-settings';
import {
  apiGatewayPerMillion,
  cognitoMonthly,
  dollars,
  dynamoPerMillion,
  type LambdaUse,
  lambdaPerMillion,
  memoryMb,
} from './capacity-cost';
import type { ReadWrite, Units } from './capacity-proxy';
import { PRICE_REGION, PRICES_READ_ON } from './prices';
import { heading, markdownTable, print } from './report';

/** What one operation cost, per run. */
export interface Measured {
  name: string;
  /** HTTP API requests per operation. */
  requests: number;
  units: Units;
  lambda: LambdaUse[];
}

interface Context {
  runs: number;
  tableNames: TableNames;
  machine: string;
}

/** The Cognito comparison's assumption: what each monthly active user does in a month. */
const SIGN_INS_PER_MAU = 4;
const REFRESHES_PER_MAU = 60;
const MAU_SIZES = [10_000, 100_000, 1_000_000];

const units = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
const pair = (rw: ReadWrite | undefined) => (rw ? `${units(rw.read)} / ${units(rw.write)}` : '-');
const lambdaCell = (uses: readonly LambdaUse[]) =>
  uses
    .map(
      (use) =>
        `${use.function}${use.invocations === 1 ? '' : ` x${units(use.invocations)}`} ${use.p50Ms.toFixed(1)} ms (${memoryMb(use.function)} MB)`,
    )
    .join(' + ');

const costs = (row: Measured) => {
  const dynamo = dynamoPerMillion(row.units);
  const lambda = lambdaPerMillion(row.lambda);
  const lambdaBound = lambdaPerMillion(row.lambda, true);
  const gateway = apiGatewayPerMillion(row.requests);
  return {
    dynamo,
    lambda,
    lambdaBound,
    gateway,
    total: dynamo + lambda + gateway,
    bound: dynamo + lambdaBound + gateway,
  };
};

/** The README's "Capacity and cost" tables, in Markdown. */
export const printCapacityTables = (rows: readonly Measured[], context: Context): void => {
  const tables = Object.entries(context.tableNames) as [keyof TableNames, string][];
  heading('Capacity units and Lambda time per operation');
  print(
    `\`npx tsx bench/capacity.ts\`, ${new Date().toISOString().slice(0, 10)}: ${context.runs} runs of each operation over HTTP against the local stack (${context.machine}, shared by other work: the times are noisy), after warm-up.`,
  );
  print();
  print(
    markdownTable(
      [
        'operation',
        'read units',
        'write units',
        ...tables.map(([name]) => `${name} R / W`),
        'DynamoDB calls',
        'Lambda, p50 handler time',
      ],
      rows.map((row) => [
        row.name,
        units(row.units.read),
        units(row.units.write),
        ...tables.map(([, table]) => pair(row.units.tables[table])),
        units(row.units.calls),
        lambdaCell(row.lambda),
      ]),
    ),
  );

  heading(`Cost per million operations (${PRICE_REGION} list prices of ${PRICES_READ_ON})`);
  print(
    markdownTable(
      [
        'operation',
        'DynamoDB on demand',
        'Lambda arm64',
        'Lambda, CPU-share bound',
        'HTTP API',
        'total',
      ],
      rows.map((row) => {
        const cost = costs(row);
        return [
          row.name,
          dollars(cost.dynamo),
          dollars(cost.lambda),
          dollars(cost.lambdaBound),
          dollars(cost.gateway),
          `${dollars(cost.total)} to ${dollars(cost.bound)}`,
        ];
      }),
    ),
  );

  const signIn = rows.find((row) => row.name.startsWith('sign-in, password'));
  const refresh = rows.find((row) => row.name.startsWith('refresh'));
  if (!signIn || !refresh) return;
  const perUser = (pick: 'total' | 'bound') =>
    (SIGN_INS_PER_MAU * costs(signIn)[pick] + REFRESHES_PER_MAU * costs(refresh)[pick]) / 1e6;
  heading('Against Cognito, per month');
  print(
    `Each monthly active user signs in ${SIGN_INS_PER_MAU} times and refreshes ${REFRESHES_PER_MAU} times a month (the password sign-in and refresh rows above). Gatehouse: those requests only; its fixed costs (keys, secrets, alarms, dashboard: about $9 a month, docs/aws.md) and the authorizer's decisions on your APIs come on top. Cognito: user pool MAUs signing in directly; no charge per sign-in or per token, and an HTTP API's JWT authorizer checks its tokens for free.`,
  );
  print();
  print(
    markdownTable(
      ['MAU', 'Gatehouse', 'Cognito Lite', 'Cognito Essentials', 'Cognito Plus'],
      MAU_SIZES.map((mau) => {
        const cognito = cognitoMonthly(mau);
        return [
          mau.toLocaleString('en-US'),
          `${dollars(mau * perUser('total'))} to ${dollars(mau * perUser('bound'))}`,
          dollars(cognito.lite),
          dollars(cognito.essentials),
          dollars(cognito.plus),
        ];
      }),
    ),
  );
};
