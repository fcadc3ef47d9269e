import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/** The packages a package of the project's node_modules depends on. */
const dependenciesOf = (name: string): string[] => {
  const manifest = join(projectModules, name, 'package.json');
  if (!existsSync(manifest)) return [];
  const { dependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(dependencies);
};

/**
 * What Lambda's Node.js runtime puts on the module path (/var/runtime/node_modules): the AWS
 * SDK v3, every `@aws-sdk/*` package with what they depend on, and nothing else. Linked into
 * `<assembly>/node_modules`, the one node_modules above the assets, since the bundles leave
 * `@aws-sdk/*` out and ESM resolves bare imports by walking up from the importing file (it
 * ignores NODE_PATH). A bundle that imported any other package without shipping it fails here
 * as it would on Lambda.
 */
export const provideRuntimeSdk = (assemblyDir: string): string[] => {
  const scope = join(projectModules, '@aws-sdk');
  const wanted = readdirSync(scope).map((name) => `@aws-sdk/${name}`);
  const provided = new Set<string>();
  while (wanted.length > 0) {
    const name = wanted.pop() as string;
    if (provided.has(name) || !existsSync(join(projectModules, name))) continue;
    provided.add(name);
    wanted.push(...dependenciesOf(name));
  }
  const modules = join(assemblyDir, 'node_modules');
  for (const name of provided) {
    const link = join(modules, name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(projectModules, name), link, 'dir');
  }
  return [...provided];
};
