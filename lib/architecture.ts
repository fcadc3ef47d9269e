import { join } from 'node:path';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import native from './lambda-native.json';

/** The newest Node.js runtime aws-cdk-lib offers: every function runs on it. */
export const lambdaRuntime = Runtime.NODEJS_24_X;
/** esbuild's target, read from the runtime (nodejs24.x -> node24) so the two never disagree. */
export const esbuildTarget = `node${/^nodejs(\d+)/.exec(lambdaRuntime.name)?.[1]}`;

/** Graviton: cheaper per GB-second than x86_64 and at least as fast for this work (docs/aws.md). */
export const defaultArchitecture = Architecture.ARM_64;

/** What `-c architecture=` takes: Lambda's names, also lambda-native.json's folders. */
export type ArchitectureName = keyof typeof native.binaries;
const architectures: Record<ArchitectureName, Architecture> = {
  arm64: Architecture.ARM_64,
  x86_64: Architecture.X86_64,
};

const isArchitectureName = (name: string): name is ArchitectureName =>
  Object.hasOwn(architectures, name);

/** The `architecture` context value as Lambda's: unset is arm64, an unknown name fails. */
export const architectureFromContext = (value: unknown): Architecture => {
  if (value === undefined || value === null || value === '') return defaultArchitecture;
  if (typeof value === 'string' && isArchitectureName(value)) return architectures[value];
  throw new Error(
    `architecture must be ${Object.keys(architectures).join(' or ')}, not ${JSON.stringify(value)}.`,
  );
};

/** Where one native package for this architecture sits, relative to the project root. */
export interface NativePackage {
  name: string;
  dir: string;
}

/**
 * The packages a hashing bundle ships for this architecture: bcrypt's JS loader and its Linux
 * glibc binary, as scripts/fetch-lambda-native.mjs placed them (never this machine's own).
 */
export const bcryptPackages = (architecture: Architecture): NativePackage[] => {
  const { name } = architecture;
  if (!isArchitectureName(name)) throw new Error(`No bcrypt binary for Lambda's ${name}.`);
  return [native.loader, native.binaries[name]].map((pkg) => ({
    name: pkg,
    dir: join(native.dir, name, 'node_modules', pkg),
  }));
};

/** Where the fetched native packages (and their verified tarballs) live. */
export const nativeDir = native.dir;

/** The folder of the loader this machine installed: its version is the one the bundles ship. */
export const installedLoaderDir = join('node_modules', native.loader);
