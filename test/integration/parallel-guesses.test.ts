import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { parallelGuesses } from '../support/parallel-guesses';

const dynamo = useDynamoDbLocal();

it('gives at most the threshold of 20 parallel guesses a password verdict (DynamoDB Local)', async () => {
  await parallelGuesses(await dynamo.freshStore());
}, 60_000);
