import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  budgetedClientConfig,
  budgetFor,
  type FaultBudget,
  withFaultBudget,
} from './aws-client-budget';
import { DATABASE, type DynamoSettings, endpointClientConfig } from './dynamo-settings';
import { refuseOverlongKeys } from './key-size';

export const createDynamoClient = (
  settings: DynamoSettings,
  budget: FaultBudget = budgetFor(settings.endpoint),
): DynamoDBClient =>
  withFaultBudget(
    new DynamoDBClient({ ...endpointClientConfig(settings), ...budgetedClientConfig(budget) }),
    DATABASE,
    budget,
  );

export const createDocumentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  refuseOverlongKeys(
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
  );
