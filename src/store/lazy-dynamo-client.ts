import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FaultBudget } from './aws-client-budget';
import { DATABASE, type DynamoSettings, endpointClientConfig } from './dynamo-settings';

type DynamoSdk = typeof import('@aws-sdk/client-dynamodb');

/** The SDK module and the one client made with it. */
export interface LoadedDynamo {
  sdk: DynamoSdk;
  client: DynamoDBClient;
}

/** Hands out the same client on every call; made (SDK imported) on the first. */
export type LazyDynamo = () => Promise<LoadedDynamo>;

/** The session name CloudTrail shows for the authorizer's reads through the reader role. */
export const readerSessionName = 'gatehouse-authorizer';

/**
 * The reader role's credentials (GATEHOUSE_READER_ROLE_ARN): STS AssumeRole on first use, held
 * and refreshed before they expire by the client's own identity cache.
 */
const readerRoleCredentials = async (
  roleArn: string,
  externalId: string | undefined,
  { budgetedClientConfig }: BudgetModule,
) => {
  const { fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
  return fromTemporaryCredentials({
    params: {
      RoleArn: roleArn,
      RoleSessionName: readerSessionName,
      ...(externalId ? { ExternalId: externalId } : {}),
    },
    // STS is bounded like every other call: a slow AssumeRole must not hang the authorizer.
    clientConfig: budgetedClientConfig(),
  });
};

type BudgetModule = typeof import('./aws-client-budget');

const loadDynamo = async (
  settings: DynamoSettings,
  chosen: FaultBudget | undefined,
): Promise<LoadedDynamo> => {
  const [sdk, budgets] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('./aws-client-budget'),
  ]);
  const budget = chosen ?? budgets.budgetFor(settings.endpoint);
  const config = { ...endpointClientConfig(settings), ...budgets.budgetedClientConfig(budget) };
  // Invariant: with a reader role named, every request is signed with that role's credentials
  // (never the function's own, never a local emulator's dummies), so IAM judges it by that role.
  const signed = settings.readerRoleArn
    ? {
        ...config,
        credentials: await readerRoleCredentials(
          settings.readerRoleArn,
          settings.readerExternalId,
          budgets,
        ),
      }
    : config;
  return {
    sdk,
    client: budgets.withFaultBudget(new sdk.DynamoDBClient(signed), DATABASE, budget),
  };
};

/**
 * For the authorizer: one DynamoDB client shared by all its readers (one connection pool, one
 * AssumeRole), with the SDK imported on the first call, so loading the function costs no SDK
 * start-up. A failed start is retried on the next call.
 */
export const lazyDynamoClient = (settings: DynamoSettings, budget?: FaultBudget): LazyDynamo => {
  let loading: Promise<LoadedDynamo> | undefined;
  return () => {
    loading ??= loadDynamo(settings, budget).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
};
