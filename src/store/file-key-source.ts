import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SigningKeySet, SigningKeySource } from '../core/tokens/signing-keys';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const isTaken = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EEXIST';

/**
 * Local signing keys: one JSON file, readable by its owner only. Invariant: every generation is
 * decided once, so two processes starting or upgrading at once keep the same keys: the first
 * set is created exclusively (`wx`), and a later generation is claimed by an exclusive hard link
 * (`<file>.generation-N`, complete when it appears) before it replaces the file.
 */
export const createFileKeySource = (path: string): SigningKeySource => {
  const load = async (): Promise<SigningKeySet | null> => {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as SigningKeySet;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  };
  return {
    load,
    async save(set) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const json = JSON.stringify(set, null, 2);
      if (set.generation === 1) {
        try {
          await writeFile(path, json, { flag: 'wx', mode: 0o600 });
          return set;
        } catch (error) {
          if (!isTaken(error)) throw error;
          return (await load()) as SigningKeySet;
        }
      }
      const current = await load();
      if (current && current.generation >= set.generation) return current;
      // One name per write: two upgrades racing in one process never share a temporary file.
      const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
      const claim = `${path}.generation-${set.generation}`;
      await writeFile(temporary, json, { mode: 0o600 });
      try {
        await link(temporary, claim);
      } catch (error) {
        await rm(temporary, { force: true });
        if (!isTaken(error)) throw error;
        // Another process decided this generation first: use its keys, never ours.
        return JSON.parse(await readFile(claim, 'utf8')) as SigningKeySet;
      }
      await rename(temporary, path);
      return set;
    },
  };
};
