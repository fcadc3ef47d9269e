import { it } from 'vitest';
import { createMemoryStore } from '../../../../src/store/memory-store';
import { parallelGuesses } from '../../../support/parallel-guesses';

const fresh = async () => createMemoryStore();

it('gives at most the threshold of 20 parallel wrong guesses a verdict, twice that with the right one among them (in memory)', async () => {
  await parallelGuesses(fresh);
});

it('holds when the counting writes land spread over 600 ms (in memory)', async () => {
  await parallelGuesses(fresh, 600);
}, 20_000);
