/**
 * Size and import time of each Lambda bundle, built with esbuild from the options the CDK
 * stack gives NodejsFunction (lib/bundling.ts), translated the way CDK translates them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Architecture } from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Loader, type Metafile, version } from 'esbuild';
import { defaultArchitecture } from '../lib/architecture';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../src/http/functions';
import { benchSdkChoice } from './bundles-sdk';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';
import { median } from './lib/stats';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/** Inside the project, so the externals (bcrypt) resolve from its node_modules. */
const outDir = join(projectRoot, 'bench', '.tmp', 'bundles');

const RUNS = 15;
const SIZE_TARGET_KIB = 25;
const IMPORT_TARGET_MS = 15;
/** What Lambda is given (lib/functions.ts sets NODE_OPTIONS to this). */
const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/** Used when lib/bundling.ts cannot be loaded: the options the stack is meant to use. */
const fallbackBundling = {
  format: 'esm',
  target: 'node24',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  externalModules: ['@node-rs/bcrypt'],
} as BundlingOptions;

/** Options that change how CDK runs esbuild or ships the asset, not what the bundle holds. */
const NOT_ABOUT_OUTPUT = new Set([
  'logLevel',
  'metafile',
  'commandHooks',
  'assetHash',
  'esbuildVersion',
  'buildArgs',
  'forceDockerBundling',
  'dockerImage',
  'bundlingFileAccess',
  'environment',
  'user',
  'volumes',
  'volumesFrom',
  'workingDirectory',
  'entrypoint',
  'securityOpt',
  'network',
  'platform',
  // CDK's esbuild command never passes it.
  'charset',
]);

const TRANSLATED = new Set([
  'format',
  'target',
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'mainFields',
  'banner',
  'footer',
  'externalModules',
  'bundleAwsSDK',
  'nodeModules',
  'loader',
  'define',
  'keepNames',
  'tsconfig',
  'inject',
]);

/** The esbuild options CDK's NodejsFunction derives from `bundling` (its Bundling class). */
const esbuildOptions = (
  bundling: BundlingOptions,
): { options: BuildOptions; untranslated: string[] } => {
  const sourceMapMode = bundling.sourceMapMode ?? 'default';
  const sourceMap = bundling.sourceMapMode !== undefined || bundling.sourceMap;
  const externals = bundling.externalModules ?? (bundling.bundleAwsSDK ? [] : ['@aws-sdk/*']);
  const options: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: bundling.format ?? 'cjs',
    target: bundling.target ?? 'node24',
    minify: bundling.minify ?? false,
    // CDK passes --sourcemap (linked: a .map file and a comment) unless a mode is named.
    sourcemap: sourceMap ? (sourceMapMode === 'default' ? true : sourceMapMode) : false,
    sourcesContent: bundling.sourcesContent ?? true,
    external: [...externals, ...(bundling.nodeModules ?? [])],
    loader: bundling.loader as Record<string, Loader> | undefined,
    define: bundling.define,
    keepNames: bundling.keepNames ?? false,
    tsconfig: bundling.tsconfig,
    inject: bundling.inject,
    ...(bundling.mainFields ? { mainFields: bundling.mainFields } : {}),
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.footer ? { footer: { js: bundling.footer } } : {}),
  };
  const untranslated = Object.keys(bundling).filter(
    (key) => !TRANSLATED.has(key) && !NOT_ABOUT_OUTPUT.has(key),
  );
  return { options, untranslated };
};

/** lib/ is being written alongside: take whichever shape it exports, else the fallback. */
const cdkBundling = async (): Promise<{
  forSpec: (spec: FunctionSpec) => BundlingOptions;
  source: string;
}> => {
  try {
    const lib = (await import('../lib/bundling')) as {
      bundlingFor?: (spec: FunctionSpec, architecture: Architecture) => BundlingOptions;
      bundling?: BundlingOptions;
    };
    const { bundlingFor, bundling } = lib;
    // The JS is the same for either architecture: only the copied bcrypt binary differs.
    if (bundlingFor) {
      return {
        forSpec: (spec) => bundlingFor(spec, defaultArchitecture),
        source: 'lib/bundling.ts bundlingFor(spec)',
      };
    }
    if (bundling) return { forSpec: () => bundling, source: 'lib/bundling.ts bundling' };
  } catch (error) {
    print(`lib/bundling.ts did not load (${error}); using the planned options.`);
  }
  return { forSpec: () => fallbackBundling, source: 'the planned options (no lib/bundling.ts)' };
};

interface Bundle {
  name: FunctionName;
  file: string;
  bytes: number;
  gzipBytes: number;
  /** The inputs that weigh most in the output. */
  heaviest: string;
}

/** A package for code from node_modules, else the project file. */
const owner = (path: string): string => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? path;
};

/** The packages (or project files) that weigh most in the output. */
const heaviestInputs = (metafile: Metafile): string => {
  const [output] = Object.values(metafile.outputs).filter((o) => o.entryPoint);
  const weights = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    weights.set(owner(path), (weights.get(owner(path)) ?? 0) + bytesInOutput);
  }
  return [...weights]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)}`)
    .join(', ');
};

const buildBundles = async (): Promise<Bundle[]> => {
  rmSync(outDir, { recursive: true, force: true });
  const { forSpec, source } = await cdkBundling();
  print(`esbuild ${version}, options from ${source}.`);
  const bundles: Bundle[] = [];
  const notes = new Set<string>();
  for (const [name, spec] of Object.entries(functionSpecs) as [FunctionName, FunctionSpec][]) {
    const { options, untranslated } = esbuildOptions(forSpec(spec));
    for (const key of untranslated) notes.add(key);
    const file = join(outDir, name, options.format === 'esm' ? 'index.mjs' : 'index.js');
    mkdirSync(join(outDir, name), { recursive: true });
    const result = await build({
      ...options,
      entryPoints: [join(projectRoot, 'functions', spec.entry)],
      outfile: file,
      absWorkingDir: projectRoot,
      logLevel: 'warning',
      metafile: true,
    });
    const code = readFileSync(file);
    bundles.push({
      name,
      file,
      bytes: statSync(file).size,
      gzipBytes: gzipSync(code).length,
      heaviest: heaviestInputs(result.metafile),
    });
  }
  if (notes.size) print(`Not translated to esbuild (check by hand): ${[...notes].join(', ')}.`);
  return bundles;
};

/** Same harness for every run: one dynamic import, timed inside and out. */
const IMPORT_SCRIPT =
  'const t = performance.now(); await import(process.argv[1]); console.log(performance.now() - t);';
/** An empty module: the baseline pays for node and its ESM loader, and nothing else. */
const EMPTY_MODULE = 'data:text/javascript,';

interface ImportRun {
  /** Wall time of the whole `node` process. */
  wallMs: number;
  /** The import alone, timed inside the process. */
  insideMs: number;
}

const runNode = (args: string[], nodeOptions: string): ImportRun => {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, {
    cwd: projectRoot,
    encoding: 'utf8',
    // A Lambda-like environment: the handlers read their settings when they load.
    env: {
      PATH: process.env.PATH ?? '',
      NODE_OPTIONS: nodeOptions,
      AWS_REGION: 'eu-west-1',
      ISSUER_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
    },
  });
  const wallMs = performance.now() - started;
  if (child.status !== 0) {
    throw new Error(`node ${args.join(' ')} failed (${child.status}):\n${child.stderr}`);
  }
  return { wallMs, insideMs: Number(child.stdout.trim() || 0) };
};

interface ImportTimes {
  /** Median wall time over the empty-module baseline. */
  overBaselineMs: number;
  insideMs: number;
}

/**
 * Import time of each bundle, plain and with Lambda's NODE_OPTIONS: median wall time of
 * `node -e 'await import(file)'` minus that of the same command importing an empty module.
 * Runs alternate between targets, so each sees the same machine.
 */
const measureImports = (bundles: Bundle[]) => {
  const modes = { plain: '', sourceMaps: LAMBDA_NODE_OPTIONS };
  type Mode = keyof typeof modes;
  const targets = [
    { id: 'bare node', args: ['-e', ''] },
    { id: 'empty module', args: ['--input-type=module', '-e', IMPORT_SCRIPT, EMPTY_MODULE] },
    ...bundles.map((bundle) => ({
      id: bundle.name,
      args: ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(bundle.file).href],
    })),
  ];
  const runs = new Map<string, ImportRun[]>();
  const key = (mode: Mode, id: string) => `${mode}:${id}`;
  for (let run = 0; run < RUNS; run++) {
    const order = [
      ...targets.slice(run % targets.length),
      ...targets.slice(0, run % targets.length),
    ];
    for (const mode of Object.keys(modes) as Mode[]) {
      for (const target of order) {
        if (target.id === 'bare node' && mode !== 'plain') continue; // shown for reference only
        const list = runs.get(key(mode, target.id)) ?? [];
        list.push(runNode(target.args, modes[mode]));
        runs.set(key(mode, target.id), list);
      }
    }
  }
  const wall = (mode: Mode, id: string) =>
    median((runs.get(key(mode, id)) ?? []).map((r) => r.wallMs));
  const times = (mode: Mode, name: string): ImportTimes => ({
    overBaselineMs: wall(mode, name) - wall(mode, 'empty module'),
    insideMs: median((runs.get(key(mode, name)) ?? []).map((r) => r.insideMs)),
  });
  return {
    bareNodeMs: wall('plain', 'bare node'),
    emptyModuleMs: wall('plain', 'empty module'),
    plain: (name: string) => times('plain', name),
    sourceMaps: (name: string) => times('sourceMaps', name),
  };
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

export const benchBundles = async (): Promise<Figure[]> => {
  heading('Bundle size and import time');
  const bundles = await buildBundles();
  const imports = measureImports(bundles);
  print();
  print(
    markdownTable(
      [
        'Function',
        'index.mjs',
        'gzip',
        'import, over baseline',
        'import, timed inside',
        `with ${LAMBDA_NODE_OPTIONS}`,
        'heaviest (KiB in output)',
      ],
      bundles.map((bundle) => [
        bundle.name,
        kib(bundle.bytes),
        kib(bundle.gzipBytes),
        ms(imports.plain(bundle.name).overBaselineMs),
        ms(imports.plain(bundle.name).insideMs),
        ms(imports.sourceMaps(bundle.name).overBaselineMs),
        bundle.heaviest,
      ]),
    ),
  );
  print();
  print(
    [
      `Bundles in ${relative(projectRoot, outDir)}/. Import: median of ${RUNS} runs of`,
      "`node --input-type=module -e 'await import(file)'` minus the median of the same command",
      `importing an empty module (${ms(imports.emptyModuleMs)}; bare \`node -e ''\` ${ms(imports.bareNodeMs)}).`,
      '"Timed inside" is the import alone, measured in the child. The last column runs with the',
      `NODE_OPTIONS Lambda gets (${LAMBDA_NODE_OPTIONS}). Node ${process.versions.node} here; Lambda runs node24.`,
    ].join('\n'),
  );

  const authorizer = bundles.find((bundle) => bundle.name === 'authorizer');
  if (!authorizer) throw new Error('functionSpecs has no authorizer');
  const authorizerImport = imports.plain('authorizer');
  const { forSpec } = await cdkBundling();
  const sdkFigures = await benchSdkChoice(
    (name) => esbuildOptions(forSpec(functionSpecs[name])).options,
  );
  return [
    {
      name: 'Authorizer bundle, minified',
      value: `${kib(authorizer.bytes)} (gzip ${kib(authorizer.gzipBytes)})`,
      target: `<= ${SIZE_TARGET_KIB} KiB`,
      meets: authorizer.bytes <= SIZE_TARGET_KIB * 1024,
    },
    {
      name: 'Authorizer import, over an empty import',
      value: `${ms(authorizerImport.overBaselineMs)} (inside ${ms(authorizerImport.insideMs)})`,
      target: `<= ${IMPORT_TARGET_MS} ms`,
      meets: authorizerImport.overBaselineMs <= IMPORT_TARGET_MS,
    },
    {
      name: `Authorizer import with ${LAMBDA_NODE_OPTIONS}`,
      value: ms(imports.sourceMaps('authorizer').overBaselineMs),
      target: '-',
      meets: null,
    },
    ...bundles
      .filter((bundle) => bundle !== authorizer)
      .map((bundle) => ({
        name: `${bundle.name} bundle: size, import`,
        value: `${kib(bundle.bytes)} (gzip ${kib(bundle.gzipBytes)}), ${ms(imports.plain(bundle.name).overBaselineMs)}`,
        target: '-',
        meets: null,
      })),
    ...sdkFigures,
  ];
};

runIfMain(import.meta.url, benchBundles);
