import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { NativePackage } from './architecture';

/** Where scripts/fetch-lambda-native.mjs keeps each verified tarball (same naming there). */
export const tarballPath = (nativeDir: string, name: string, version: string): string =>
  join(nativeDir, 'tarballs', `${name.replace('/', '+')}-${version}.tgz`);

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

/** The package-lock.json sha512s of `name` at `version`, or a throw: nothing unlocked ships. */
const lockedSha512s = (root: string, name: string, version: string): string[] => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = lock.packages?.[`node_modules/${name}`];
  const sha512s = (entry?.version === version ? (entry.integrity ?? '') : '')
    .split(/\s+/)
    .filter((hash) => hash.startsWith('sha512-'));
  if (sha512s.length === 0) {
    throw new Error(`${name}@${version} has no sha512 in package-lock.json: it cannot ship.`);
  }
  return sha512s;
};

const verified = new Set<string>();

/**
 * Invariant: every file a bundle ships from `.lambda-native` is, byte for byte, in the tarball
 * whose sha512 package-lock.json records. Checked at each synth (not only at fetch), so a folder
 * changed after the fetch (a restored cache, another package's install script) fails the synth.
 */
export const assertNativeMatchesLock = (
  root: string,
  nativeDir: string,
  packages: NativePackage[],
  version: string,
): void => {
  for (const pkg of packages) {
    const key = `${root}:${pkg.dir}:${version}`;
    if (verified.has(key)) continue;
    const refetch = 'Run `node scripts/fetch-lambda-native.mjs` again (`npm install` runs it).';
    const tarball = join(root, tarballPath(nativeDir, pkg.name, version));
    if (!existsSync(tarball)) {
      throw new Error(`${pkg.name}@${version}: no verified tarball at ${tarball}. ${refetch}`);
    }
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (!lockedSha512s(root, pkg.name, version).includes(actual)) {
      throw new Error(`${pkg.name}@${version}: its tarball is not package-lock.json's. ${refetch}`);
    }
    const unpacked = mkdtempSync(join(tmpdir(), 'gatehouse-native-check-'));
    try {
      execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
      const placed = join(root, pkg.dir);
      const expected = filesUnder(unpacked).map((file) => relative(unpacked, file));
      const found = filesUnder(placed).map((file) => relative(placed, file));
      const differs =
        expected.sort().join('\n') !== found.sort().join('\n') ||
        expected.some(
          (file) => !readFileSync(join(unpacked, file)).equals(readFileSync(join(placed, file))),
        );
      if (differs) {
        throw new Error(`${pkg.dir} differs from its locked tarball. ${refetch}`);
      }
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
    verified.add(key);
  }
};
