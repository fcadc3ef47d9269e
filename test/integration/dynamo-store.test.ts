import { useDynamoDbLocal } from '../support/dynamodb';
import { storeContract } from '../support/store-contract';

const dynamo = useDynamoDbLocal();

storeContract('DynamoDB Local', dynamo.freshStore);
