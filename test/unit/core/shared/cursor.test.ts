import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../../src/core/shared/cursor';

/** Invariant: a cursor is accepted only exactly as the service gave it; any edit is a 400. */
const deps = { cursorKey: async () => key };
const key = randomBytes(32);
const position = { pk: 'USER#01HZX', sk: 'PROFILE', emailKey: 'ada@example.com' };
const filters = JSON.stringify(['ada', null, null]);
const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';

const refused = (cursor: string, withFilters = filters, withDeps = deps) =>
  expect(decodeCursor(withDeps, cursor, withFilters)).rejects.toMatchObject({
    code: 'record_invalid',
    message: expect.stringMatching(/^cursor: /),
  });

describe('cursor', () => {
  it('gives back the position it was made of, for the same filters', async () => {
    const cursor = await encodeCursor(deps, position, filters);
    expect(await decodeCursor(deps, cursor, filters)).toEqual(position);
  });

  it('refuses every one-character edit, appended or removed character', async () => {
    const cursor = await encodeCursor(deps, position, filters);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: cursor.length }),
        fc.constantFrom(...base64url),
        fc.constantFrom('replace', 'insert', 'delete'),
        async (at, char, how) => {
          const i = Math.min(at, cursor.length - 1);
          const edited =
            how === 'insert'
              ? cursor.slice(0, at) + char + cursor.slice(at)
              : how === 'delete'
                ? cursor.slice(0, i) + cursor.slice(i + 1)
                : cursor.slice(0, i) + char + cursor.slice(i + 1);
          fc.pre(edited !== cursor);
          await refused(edited);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a position forged with a valid encoding but no key', async () => {
    const forged = Buffer.from(JSON.stringify({ p: { pk: 'USER#other' }, f: filters }));
    const cursor = await encodeCursor(deps, position, filters);
    const mac = cursor.split('.')[1];
    await refused(`${forged.toString('base64url')}.${mac}`);
    // The cursors of before (no MAC) are refused too.
    await refused(forged.toString('base64url'));
  });

  it("refuses another key's cursor and another query's cursor", async () => {
    const cursor = await encodeCursor(deps, position, filters);
    await refused(cursor, filters, { cursorKey: async () => randomBytes(32) });
    await refused(cursor, JSON.stringify(['bob', null, null]));
  });
});
