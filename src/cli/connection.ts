import { createLockSightings } from '../core/sessions/lock-sightings';
import type { CoreDeps } from '../core/shared/deps';
import { buildDeps } from '../http/composition';
import { type TableNames, tableNamesFromEnv } from '../store/dynamo-settings';
import { tables } from '../store/schema';
import { usageError } from './exit-codes';

type Env = Record<string, string | undefined>;

/** The connection options every command takes (docs/cli.md, Connection). */
export interface ConnectionOptions {
  endpoint?: string;
  region?: string;
  stack?: string;
  usersTable?: string;
  tokensTable?: string;
  auditTable?: string;
}

export interface Connection {
  /** DynamoDB Local's URL; unset for AWS. */
  endpoint?: string;
  region?: string;
  tables: TableNames;
}

const givenTables = (options: ConnectionOptions): Partial<TableNames> => ({
  ...(options.usersTable ? { users: options.usersTable } : {}),
  ...(options.tokensTable ? { tokens: options.tokensTable } : {}),
  ...(options.auditTable ? { audit: options.auditTable } : {}),
});

const localEndpoint = (env: Env) =>
  env.DYNAMODB_ENDPOINT || `http://127.0.0.1:${env.DYNAMODB_LOCAL_PORT || 8000}`;

/**
 * Where the tables are: `--endpoint` (or by default the DynamoDB Local of `npm start`), or on
 * AWS a `--stack`'s tables looked up in CloudFormation, or tables named one by one.
 */
export const resolveConnection = async (
  options: ConnectionOptions,
  env: Env,
): Promise<Connection> => {
  const named = givenTables(options);
  if (options.stack && options.endpoint) {
    throw usageError('--stack names a deployed stack: it does not go with --endpoint.');
  }
  if (options.endpoint || (!options.stack && !options.region)) {
    return {
      endpoint: options.endpoint || localEndpoint(env),
      ...(options.region ? { region: options.region } : {}),
      tables: { ...tableNamesFromEnv(env), ...named },
    };
  }
  const region = options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!options.stack) {
    const fromEnv = {
      ...(env[tables.users.envVar] ? { users: env[tables.users.envVar] } : {}),
      ...(env[tables.tokens.envVar] ? { tokens: env[tables.tokens.envVar] } : {}),
      ...(env[tables.audit.envVar] ? { audit: env[tables.audit.envVar] } : {}),
      ...named,
    };
    if (!fromEnv.users || !fromEnv.tokens || !fromEnv.audit) {
      throw usageError(
        'On AWS, give --stack NAME, or all of --users-table, --tokens-table and --audit-table.',
      );
    }
    return { ...(region ? { region } : {}), tables: fromEnv as TableNames };
  }
  const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
  const { tablesOfStack } = await import('./stack-tables');
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    const found =
      named.users && named.tokens && named.audit ? {} : await tablesOfStack(client, options.stack);
    return { ...(region ? { region } : {}), tables: { ...found, ...named } as TableNames };
  } finally {
    client.destroy();
  }
};

export const describeConnection = (connection: Connection): string =>
  `${connection.endpoint ? `DynamoDB Local at ${connection.endpoint}` : `DynamoDB in ${connection.region ?? 'the default region'}`}, ` +
  `tables ${connection.tables.users}, ${connection.tables.tokens}, ${connection.tables.audit}`;

/**
 * The service's own composition root, pointed at the connection's tables. The CLI is an
 * operator: its audit failures go to stderr, and it publishes no user events (docs/cli.md).
 */
export const depsFor = (
  connection: Connection,
  env: Env,
  warn: (line: string) => void,
): CoreDeps => {
  const deps = buildDeps({
    ...env,
    DYNAMODB_ENDPOINT: connection.endpoint ?? '',
    AWS_REGION: connection.region ?? '',
    [tables.users.envVar]: connection.tables.users,
    [tables.tokens.envVar]: connection.tables.tokens,
    [tables.audit.envVar]: connection.tables.audit,
  });
  return {
    ...deps,
    events: { publish: async () => {} },
    lockSightings: createLockSightings(),
    onAuditFailure: (error, event) =>
      warn(
        `warning: audit event ${event.action} not written: ${error instanceof Error ? error.message : String(error)}`,
      ),
    onActivityFailure: (error) =>
      warn(
        `warning: activity count not written: ${error instanceof Error ? error.message : String(error)}`,
      ),
  };
};
