import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { parallelGuesses } from '../support/parallel-guesses';

const dynamo = useDynamoDbLocal();

it('gives at most the threshold of 20 parallel wrong guesses a verdict, twice that with the right one among them (DynamoDB Local)', async () => {
  await parallelGuesses(dynamo.freshStore);
}, 60_000);

it('holds when the counting writes land spread over 600 ms, as on a loaded database (DynamoDB Local)', async () => {
  for (let run = 0; run < 2; run++) await parallelGuesses(dynamo.freshStore, 600);
}, 120_000);
