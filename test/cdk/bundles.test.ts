import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArchitectureName,
  architectureFromContext,
  bcryptPackages,
  esbuildTarget,
  lambdaRuntime,
} from '../../lib/architecture';
import { assertBcryptFetched } from '../../lib/bundling';
import { ExampleApiStack } from '../../lib/example-api-stack';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../../src/http/functions';
import { resources, type Synthesized, synthGatehouse } from './synth';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** ELF e_machine of each Lambda architecture: EM_AARCH64 and EM_X86_64. */
const elfMachine: Record<ArchitectureName, number> = { arm64: 0xb7, x86_64: 0x3e };

interface BuiltFunction {
  /** Stack and logical id, for the failure message. */
  id: string;
  architectures: string[];
  runtime: string;
  assetDir: string;
  /** Whether its spec hashes passwords. */
  hashes: boolean;
}

const hashing = new Set(
  (Object.keys(functionSpecs) as FunctionName[]).filter(
    (name) => (functionSpecs[name] as FunctionSpec).hashesPasswords,
  ),
);

/** Every Lambda function of every stack in the assembly, with its bundle directory. */
const builtFunctions = (synth: Synthesized): BuiltFunction[] => {
  const hashingIds = new Set(
    [...hashing].map((name) => synth.logicalId(synth.stack.functions.byName[name])),
  );
  return synth.assembly.stacks.flatMap((artifact) =>
    Object.entries(resources(Template.fromJSON(artifact.template)))
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([logicalId, resource]) => {
        const properties = resource.Properties as {
          Architectures: string[];
          Runtime: string;
          Code: { S3Key: string };
        };
        return {
          id: `${artifact.stackName}/${logicalId}`,
          architectures: properties.Architectures,
          runtime: properties.Runtime,
          assetDir: join(synth.directory, `asset.${properties.Code.S3Key.replace(/\.zip$/, '')}`),
          hashes: artifact.stackName === synth.stack.stackName && hashingIds.has(logicalId),
        };
      }),
  );
};

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) =>
    statSync(join(dir, file)).isFile(),
  );

/** The ELF header's class, byte order and machine of a native addon. */
const elfHeader = (file: string) => {
  const bytes = readFileSync(file);
  return {
    magic: bytes.subarray(0, 4).toString('latin1'),
    is64Bit: bytes[4] === 2,
    littleEndian: bytes[5] === 1,
    machine: bytes.readUInt16LE(18),
  };
};

const email = { emailFrom: 'Gatehouse <no-reply@mail.example.com>' };
// Two synths for the file: the default and x86_64, each with the example API following it.
const builds = {} as Record<ArchitectureName, Synthesized>;

const withExampleApi = (app: App, gatehouse: Synthesized['stack']) => {
  new ExampleApiStack(app, 'GatehouseExampleApi', { gatehouse });
};

beforeAll(() => {
  // No architecture given: the default.
  builds.arm64 = synthGatehouse(email, withExampleApi);
  builds.x86_64 = synthGatehouse(
    { ...email, architecture: architectureFromContext('x86_64') },
    withExampleApi,
  );
});
afterAll(() => {
  for (const synth of Object.values(builds)) synth.cleanUp();
});

describe.each(['arm64', 'x86_64'] as const)('synthesized for %s', (architecture) => {
  const functions = () => builtFunctions(builds[architecture]);
  const [loader, binary] = bcryptPackages(
    architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
  ).map((pkg) => pkg.name);

  it('runs every function (the mailer and the example API included) on it, on the newest Node.js', () => {
    const all = functions();
    // Every spec, the mailer, the signing keys' rotation, and the example API's handler and authorizer.
    expect(all).toHaveLength(Object.keys(functionSpecs).length + 4);
    for (const fn of all) {
      expect({ id: fn.id, architectures: fn.architectures, runtime: fn.runtime }).toEqual({
        id: fn.id,
        architectures: [architecture],
        runtime: lambdaRuntime.name,
      });
    }
  });

  it('ships bcrypt in exactly the hashing functions, nothing in the others', () => {
    const all = functions();
    expect(all.filter((fn) => fn.hashes)).toHaveLength(hashing.size);
    for (const fn of all) {
      const nativeFiles = filesUnder(fn.assetDir).filter((file) => file.startsWith('node_modules'));
      if (!fn.hashes) {
        expect({ id: fn.id, nativeFiles }).toEqual({ id: fn.id, nativeFiles: [] });
        continue;
      }
      // Only the loader and this architecture's package: no other platform's binary.
      expect(readdirSync(join(fn.assetDir, 'node_modules/@node-rs')).sort()).toEqual(
        [loader, binary].map((name) => name?.replace('@node-rs/', '')).sort(),
      );
    }
  });

  it('ships, in each hashing bundle, one binary built for it, the fetched one byte for byte', () => {
    const hashingFunctions = functions().filter((fn) => fn.hashes);
    expect(hashingFunctions.length).toBeGreaterThan(0);
    const fetchedDir = join(
      projectRoot,
      '.lambda-native',
      architecture,
      'node_modules',
      binary ?? '',
    );
    const fetched = filesUnder(fetchedDir).filter((file) => file.endsWith('.node'));
    expect(fetched).toHaveLength(1);
    for (const fn of hashingFunctions) {
      const addons = filesUnder(fn.assetDir).filter((file) => file.endsWith('.node'));
      expect(addons).toEqual([join('node_modules', binary ?? '', fetched[0] ?? '')]);
      const file = join(fn.assetDir, addons[0] ?? '');
      expect({ id: fn.id, ...elfHeader(file) }).toEqual({
        id: fn.id,
        magic: '\x7fELF',
        is64Bit: true,
        littleEndian: true,
        machine: elfMachine[architecture],
      });
      expect(readFileSync(file).equals(readFileSync(join(fetchedDir, fetched[0] ?? '')))).toBe(
        true,
      );
    }
  });
});

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
    const root = mkdtempSync(join(builds.arm64.directory, 'native-'));
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
