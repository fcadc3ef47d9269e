import fc from 'fast-check';
import type { Store } from '../../src/core/shared/store';

/**
 * Runs random sequences of operations (1 to `maxOps` of `op`), each on a fresh store: the
 * shape of every "whatever the sequence" property here.
 */
export const assertOverSequences = async <Op>(
  op: fc.Arbitrary<Op>,
  run: (store: Store, ops: Op[]) => Promise<void>,
  freshStore: () => Promise<Store>,
  options: { numRuns: number; maxOps: number },
): Promise<void> => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: options.maxOps }), async (ops) =>
      run(await freshStore(), ops),
    ),
    { numRuns: options.numRuns },
  );
};
