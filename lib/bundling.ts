import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** The native bcrypt package and its Linux x64 (glibc) binary, which Lambda's x86_64 runs. */
const nativePackages = ['@node-rs/bcrypt', '@node-rs/bcrypt-linux-x64-gnu'];

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
  target: 'node22',
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

/** Files copied into the bundle after esbuild, by the flags of the function's spec. */
const copiesAfterBundling = (spec: BundledFlags, inputDir: string, outputDir: string) => [
  ...(spec.hashesPasswords
    ? [
        `mkdir -p "${outputDir}/node_modules/@node-rs"`,
        ...nativePackages.map(
          (name) =>
            `cp -R "${inputDir}/node_modules/${name}" "${outputDir}/node_modules/@node-rs/"`,
        ),
      ]
    : []),
  ...(spec.servesWebAssets
    ? [`mkdir -p "${outputDir}/web"`, `cp -R "${inputDir}/${webDist}/." "${outputDir}/web/"`]
    : []),
];

/**
 * Bundling for one function: those that hash passwords ship the native bcrypt, those that serve
 * the hosted pages ship web/dist as `web/`.
 */
export const bundlingFor = (spec: BundledFlags): BundlingOptions =>
  spec.hashesPasswords || spec.servesWebAssets
    ? {
        ...base,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            copiesAfterBundling(spec, inputDir, outputDir),
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
