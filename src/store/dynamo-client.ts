import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type DynamoSettings, dynamoClientConfig } from './dynamo-settings';

export const createDynamoClient = (settings: DynamoSettings): DynamoDBClient =>
  new DynamoDBClient(dynamoClientConfig(settings));

export const createDocumentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
