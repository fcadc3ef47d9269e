import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import type { Architecture } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { bcryptPackages, esbuildTarget, installedLoaderDir, nativeDir } from './architecture';
import { assertNativeMatchesLock } from './native-integrity';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Where web/build.mjs writes the hosted pages' script and stylesheet. */
const webDist = 'web/dist';
const webAssets = ['app.js', 'app.css'];
/** Where a `servesWebAssets` bundle carries them, and so where its function reads them. */
export const webAssetsDir = '/var/task/web';

/**
 * esbuild runs locally (a devDependency), so bundling needs no Docker and `npm run synth` works
 * offline.
 * The bundle is ESM; the banner gives it a `require` for the CommonJS code it inlines.
 */
const base: BundlingOptions = {
  format: OutputFormat.ESM,
  target: esbuildTarget,
  minify: true,
  logLevel: LogLevel.WARNING,
  sourceMap: true,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  // The pinned AWS SDK v3 is bundled, not the runtime's: 0.6x to 0.9x the cold start's import +
  // first request (bench/bundles-sdk.ts, docs/aws.md). bcrypt is a native addon esbuild cannot
  // inline, loaded lazily, only by code that hashes.
  externalModules: ['@node-rs/bcrypt'],
};

interface BundledFlags {
  hashesPasswords?: boolean;
  servesWebAssets?: boolean;
}

/**
 * Files copied into the bundle after esbuild, by the flags of the function's spec. Invariant: a
 * hashing bundle holds bcrypt's loader and the one binary of its own architecture, nothing else.
 */
const copiesAfterBundling = (
  spec: BundledFlags,
  architecture: Architecture,
  inputDir: string,
  outputDir: string,
) => [
  ...(spec.hashesPasswords
    ? [
        `mkdir -p "${outputDir}/node_modules/@node-rs"`,
        ...bcryptPackages(architecture).map(
          (pkg) => `cp -R "${inputDir}/${pkg.dir}" "${outputDir}/node_modules/@node-rs/"`,
        ),
      ]
    : []),
  ...(spec.servesWebAssets
    ? [`mkdir -p "${outputDir}/web"`, `cp -R "${inputDir}/${webDist}/." "${outputDir}/web/"`]
    : []),
];

/**
 * Bundling for one function: those that hash passwords ship the native bcrypt built for the
 * function's architecture, those that serve the hosted pages ship web/dist as `web/`.
 */
export const bundlingFor = (spec: BundledFlags, architecture: Architecture): BundlingOptions =>
  spec.hashesPasswords || spec.servesWebAssets
    ? {
        ...base,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            copiesAfterBundling(spec, architecture, inputDir, outputDir),
        },
      }
    : base;

/**
 * Fails the synth of a stack that bundles a `servesWebAssets` function before web/dist is built
 * (it is git-ignored), rather than deploying pages without their script and stylesheet.
 */
export const assertWebAssetsBuilt = (
  scope: Construct,
  distDir: string = join(projectRoot, webDist),
): void => {
  if (!Stack.of(scope).bundlingRequired) return;
  const missing = webAssets.filter((file) => !existsSync(join(distDir, file)));
  if (missing.length > 0) {
    throw new Error(
      `Missing ${missing.map((file) => `${webDist}/${file}`).join(' and ')}: the hosted ` +
        "pages' assets are not built. Run `npm run build:web` (`npm run synth` does it first), " +
        'then synthesize again.',
    );
  }
};

const versionIn = (root: string, dir: string): string | undefined => {
  const file = join(root, dir, 'package.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version;
};

/**
 * Fails the synth of a stack that bundles a `hashesPasswords` function when its architecture's
 * bcrypt packages are missing or not the installed loader's version, naming the command that
 * fetches them, rather than deploying a function that cannot hash.
 */
export const assertBcryptFetched = (
  scope: Construct,
  architecture: Architecture,
  root: string = projectRoot,
): void => {
  if (!Stack.of(scope).bundlingRequired) return;
  const pinned = versionIn(root, installedLoaderDir);
  const stale = bcryptPackages(architecture).filter(
    (pkg) => pinned === undefined || versionIn(root, pkg.dir) !== pinned,
  );
  if (stale.length > 0) {
    throw new Error(
      `Missing ${stale.map((pkg) => `${pkg.dir} (version ${pinned})`).join(' and ')}: the ` +
        "Lambda functions' bcrypt binaries are fetched at install. Run " +
        '`node scripts/fetch-lambda-native.mjs` (`npm install` runs it), then synthesize again.',
    );
  }
  assertNativeMatchesLock(root, nativeDir, bcryptPackages(architecture), pinned as string);
};
