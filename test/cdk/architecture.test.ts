import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import {
  architectureFromContext,
  bcryptPackages,
  esbuildTarget,
  lambdaRuntime,
} from '../../lib/architecture';
import { assertBcryptFetched } from '../../lib/bundling';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
// No synth here: what the bundles hold for each architecture is bundles.test.ts's.
const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-native-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the runtime', () => {
  it('is the newest Node.js runtime aws-cdk-lib offers, and esbuild targets it', () => {
    const major = (runtime: Runtime) => Number(/^nodejs(\d+)/.exec(runtime.name)?.[1] ?? 0);
    const newest = Math.max(
      ...Runtime.ALL.filter((runtime) => runtime.name.startsWith('nodejs')).map(major),
    );
    expect(major(lambdaRuntime)).toBe(newest);
    expect(lambdaRuntime.isVariable).toBe(false);
    expect(esbuildTarget).toBe(`node${newest}`);
  });
});

describe('the architecture context', () => {
  it.each([
    [undefined, 'arm64'],
    ['', 'arm64'],
    ['arm64', 'arm64'],
    ['x86_64', 'x86_64'],
  ])('reads %j as %s', (value, name) => {
    expect(architectureFromContext(value).name).toBe(name);
  });

  it.each(['x86', 'amd64', 'ARM64', 'aarch64', 'arm', 'x86_64 ', 64, true])(
    'refuses %j',
    (value) => {
      expect(() => architectureFromContext(value)).toThrow(/architecture must be arm64 or x86_64/);
    },
  );
});

describe('the fetched binaries', () => {
  const rootWith = (versions: Record<string, string>) => {
    const root = mkdtempSync(join(scratch, 'native-'));
    for (const [dir, version] of Object.entries(versions)) {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, 'package.json'), JSON.stringify({ version }));
    }
    return root;
  };
  const stackIn = (context: Record<string, unknown>) => new Stack(new App({ context }), 'Hashing');
  const arm64 = bcryptPackages(Architecture.ARM_64);

  it('are required to synthesize a hashing function, with the command that fetches them', () => {
    const root = rootWith({ 'node_modules/@node-rs/bcrypt': '1.10.8' });
    expect(() => assertBcryptFetched(stackIn({}), Architecture.ARM_64, root)).toThrow(
      /Missing \.lambda-native\/arm64\/node_modules\/@node-rs\/bcrypt \(version 1\.10\.8\) and .*bcrypt-linux-arm64-gnu.*node scripts\/fetch-lambda-native\.mjs/,
    );
    expect(() =>
      assertBcryptFetched(stackIn({ 'aws:cdk:bundling-stacks': [] }), Architecture.ARM_64, root),
    ).not.toThrow();
  });

  it('must be the installed loader version', () => {
    const stale = rootWith({
      'node_modules/@node-rs/bcrypt': '1.10.9',
      ...Object.fromEntries(arm64.map((pkg) => [pkg.dir, '1.10.8'])),
    });
    expect(() => assertBcryptFetched(stackIn({}), Architecture.ARM_64, stale)).toThrow(
      /version 1\.10\.9/,
    );
    const fresh = rootWith({
      'node_modules/@node-rs/bcrypt': '1.10.8',
      ...Object.fromEntries(arm64.map((pkg) => [pkg.dir, '1.10.8'])),
    });
    // Past the version check, the files must also be the locked tarball's (native-integrity.test.ts).
    expect(() => assertBcryptFetched(stackIn({}), Architecture.ARM_64, fresh)).toThrow(
      /no verified tarball/,
    );
    expect(() => assertBcryptFetched(stackIn({}), Architecture.ARM_64, projectRoot)).not.toThrow();
  });
});
