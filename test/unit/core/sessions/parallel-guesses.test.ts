import { it } from 'vitest';
import { createMemoryStore } from '../../../../src/store/memory-store';
import { parallelGuesses } from '../../../support/parallel-guesses';

it('gives at most the threshold of 20 parallel guesses a password verdict (in memory)', async () => {
  await parallelGuesses(createMemoryStore());
});
