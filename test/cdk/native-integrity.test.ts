import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { bcryptPackages, nativeDir } from '../../lib/architecture';
import { assertNativeMatchesLock } from '../../lib/native-integrity';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const version = (
  JSON.parse(
    readFileSync(join(projectRoot, 'node_modules/@node-rs/bcrypt/package.json'), 'utf8'),
  ) as { version: string }
).version;
const arm64 = bcryptPackages(Architecture.ARM_64);
const binaryDir = arm64[1]?.dir ?? '';

/** A copy of the project's lock and fetched packages, to tamper with. */
const copyOfRoot = () => {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-native-'));
  cpSync(join(projectRoot, 'package-lock.json'), join(root, 'package-lock.json'));
  cpSync(join(projectRoot, nativeDir), join(root, nativeDir), { recursive: true });
  return root;
};

const binaryFile = (root: string) => join(root, binaryDir, `bcrypt.linux-arm64-gnu.node`);

describe('the bcrypt packages a bundle ships are the locked ones', () => {
  it('passes for what scripts/fetch-lambda-native.mjs placed, for both architectures', () => {
    for (const architecture of [Architecture.ARM_64, Architecture.X86_64]) {
      expect(() =>
        assertNativeMatchesLock(projectRoot, nativeDir, bcryptPackages(architecture), version),
      ).not.toThrow();
    }
  });

  it('refuses a placed binary changed after the fetch', () => {
    const root = copyOfRoot();
    const bytes = readFileSync(binaryFile(root));
    bytes.writeUInt8((bytes.readUInt8(bytes.length - 1) ^ 0xff) & 0xff, bytes.length - 1);
    writeFileSync(binaryFile(root), bytes);
    expect(() => assertNativeMatchesLock(root, nativeDir, arm64, version)).toThrow(
      /differs from its locked tarball/,
    );
  });

  it('refuses a file added beside the locked ones', () => {
    const root = copyOfRoot();
    writeFileSync(join(root, binaryDir, 'extra.js'), 'process.exit(1)');
    expect(() => assertNativeMatchesLock(root, nativeDir, arm64, version)).toThrow(
      /differs from its locked tarball/,
    );
  });

  it('refuses a tarball the lock does not record, and a package the lock does not pin', () => {
    const root = copyOfRoot();
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    lock.packages['node_modules/@node-rs/bcrypt-linux-arm64-gnu'].integrity =
      `sha512-${Buffer.alloc(64).toString('base64')}`;
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify(lock));
    expect(() => assertNativeMatchesLock(root, nativeDir, arm64, version)).toThrow(
      /its tarball is not package-lock.json's/,
    );
    delete lock.packages['node_modules/@node-rs/bcrypt-linux-arm64-gnu'];
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify(lock));
    expect(() => assertNativeMatchesLock(root, nativeDir, arm64, version)).toThrow(
      /no sha512 in package-lock.json/,
    );
  });
});
