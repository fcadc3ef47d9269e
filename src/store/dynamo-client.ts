import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { budgetedClientConfig, withFaultBudget } from './aws-client-budget';
import { DATABASE, type DynamoSettings, endpointClientConfig } from './dynamo-settings';

export const createDynamoClient = (settings: DynamoSettings): DynamoDBClient =>
  withFaultBudget(
    new DynamoDBClient({ ...endpointClientConfig(settings), ...budgetedClientConfig() }),
    DATABASE,
  );

export const createDocumentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
