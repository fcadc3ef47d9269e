import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArchitectureName,
  architectureFromContext,
  bcryptPackages,
  lambdaRuntime,
} from '../../lib/architecture';
import { ExampleApiStack } from '../../lib/example-api-stack';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../../src/http/functions';
import { resources, type Synthesized, synthGatehouse } from './synth';

/**
 * What esbuild made, read from the cloud assembly: the only synths of the cdk tests that bundle
 * (the others read templates and skip it), one per architecture, shared by every check here.
 */

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

// One hook per synth, so each has the whole hook timeout on a busy machine.
beforeAll(() => {
  // No architecture given: the default.
  builds.arm64 = synthGatehouse(email, withExampleApi);
});
beforeAll(() => {
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

/** This machine's architecture: its build's bcrypt loads in the node running the tests. */
const host: ArchitectureName = process.arch === 'arm64' ? 'arm64' : 'x86_64';

describe("the host architecture's bundles", () => {
  const names = Object.keys(functionSpecs) as FunctionName[];
  const assetDir = (name: FunctionName): string => {
    const synth = builds[host];
    const id = synth.logicalId(synth.stack.functions.byName[name]);
    const code = resources(synth.template)[id]?.Properties?.Code as { S3Key: string };
    const dir = join(synth.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    expect(existsSync(dir)).toBe(true);
    return dir;
  };

  it.each(names)('%s carries the web assets only if it serves them', (name) => {
    const dir = join(assetDir(name), 'web');
    const serves = 'servesWebAssets' in functionSpecs[name] && functionSpecs[name].servesWebAssets;
    expect(existsSync(dir)).toBe(Boolean(serves));
    if (!serves) return;
    // What web/build.mjs wrote, byte for byte, where WEB_ASSETS_DIR (/var/task/web) points.
    for (const file of ['app.js', 'app.css']) {
      expect(readFileSync(join(dir, file), 'utf8')).toBe(
        readFileSync(join(projectRoot, 'web/dist', file), 'utf8'),
      );
    }
  });

  it.each(names)('%s is an ESM bundle with a source map, and bcrypt only if it hashes', (name) => {
    const dir = assetDir(name);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    const hashes = 'hashesPasswords' in functionSpecs[name] && functionSpecs[name].hashesPasswords;
    expect(existsSync(join(dir, 'node_modules/@node-rs/bcrypt/package.json'))).toBe(
      Boolean(hashes),
    );
    const binary = bcryptPackages(architectureFromContext(host))[1]?.name ?? '';
    expect(existsSync(join(dir, 'node_modules', binary, 'package.json'))).toBe(Boolean(hashes));
  });

  // Synthesized for this machine's architecture: the Linux binary loads here (a Linux host).
  it('ships a bcrypt that loads and hashes from the bundle directory', () => {
    const requireFromBundle = createRequire(join(assetDir('signIn'), 'index.mjs'));
    const bcrypt = requireFromBundle('@node-rs/bcrypt') as {
      hashSync: (password: string, cost: number) => string;
      verifySync: (password: string, hash: string) => boolean;
    };
    expect(requireFromBundle.resolve('@node-rs/bcrypt')).toContain(builds[host].directory);
    const hash = bcrypt.hashSync('correct horse', 4);
    expect(hash).toMatch(/^\$2[aby]\$04\$/);
    expect(bcrypt.verifySync('correct horse', hash)).toBe(true);
  });
});
