import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The native bcrypt package and its Linux x64 (glibc) binary, which Lambda's x86_64 runs. */
const nativePackages = ['@node-rs/bcrypt', '@node-rs/bcrypt-linux-x64-gnu'];

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
  // The runtime provides the AWS SDK v3; bcrypt is a native addon esbuild cannot inline.
  // bcrypt is loaded lazily, only by code that hashes.
  externalModules: ['@aws-sdk/*', '@node-rs/bcrypt'],
};

/** Bundling for one function: only those that hash passwords ship the native bcrypt. */
export const bundlingFor = (spec: { hashesPasswords?: boolean }): BundlingOptions =>
  spec.hashesPasswords
    ? {
        ...base,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            `mkdir -p "${outputDir}/node_modules/@node-rs"`,
            ...nativePackages.map(
              (name) =>
                `cp -R "${inputDir}/node_modules/${name}" "${outputDir}/node_modules/@node-rs/"`,
            ),
          ],
        },
      }
    : base;
