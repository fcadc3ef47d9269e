// Brings bcrypt's Linux glibc binary for every Lambda architecture (lib/lambda-native.json) into
// .lambda-native/<architecture>/node_modules/@node-rs/, with its JS loader, so bundling never
// depends on this machine's own platform package (lib/bundling.ts). npm runs it after install;
// synth then stays offline. Plain Node, no dependency: it runs before anything is built.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const native = readJson(join(root, 'lib/lambda-native.json'));
// The pinned loader's version: its binaries are published with the same one.
const { version } = readJson(join(root, 'node_modules', native.loader, 'package.json'));
const locked = readJson(join(root, 'package-lock.json')).packages ?? {};

/** The integrity package-lock.json records for this package at this version, if it has one. */
const lockedIntegrity = (name) => {
  const entry = locked[`node_modules/${name}`];
  return entry?.version === version ? entry.integrity : undefined;
};

const npm = (args, cwd) =>
  process.env.npm_execpath?.endsWith('.js')
    ? execFileSync(process.execPath, [process.env.npm_execpath, ...args], { cwd, encoding: 'utf8' })
    : execFileSync('npm', args, { cwd, encoding: 'utf8', shell: process.platform === 'win32' });

/** Where a verified tarball is kept; lib/native-integrity.ts (tarballPath) names it alike. */
const keptTarball = (name) =>
  join(root, native.dir, 'tarballs', `${name.replace('/', '+')}-${version}.tgz`);

const work = mkdtempSync(join(tmpdir(), 'gatehouse-native-'));
const tarballs = new Map();

/**
 * The package's registry tarball, checked against the lock. Invariant: what ships is what was
 * locked; a tarball whose hash differs from package-lock.json's is refused.
 */
const tarball = (name) => {
  if (tarballs.has(name)) return tarballs.get(name);
  const [packed] = JSON.parse(npm(['pack', `${name}@${version}`, '--json', '--silent'], work));
  const file = join(work, packed.filename);
  const expected = lockedIntegrity(name);
  // Fail closed: a package the lock does not pin is never shipped.
  if (!expected) throw new Error(`${name}@${version} is not in package-lock.json: refusing it.`);
  const actual = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
  const sha512s = expected.split(/\s+/).filter((hash) => hash.startsWith('sha512-'));
  if (!sha512s.includes(actual)) {
    throw new Error(
      `${name}@${version}: the tarball's ${actual} is not package-lock.json's ${expected}.`,
    );
  }
  // Kept: each synth checks the shipped files against it again (lib/native-integrity.ts).
  const kept = keptTarball(name);
  mkdirSync(dirname(kept), { recursive: true });
  copyFileSync(file, kept);
  tarballs.set(name, file);
  return file;
};

const installedVersion = (dir) =>
  existsSync(join(dir, 'package.json')) ? readJson(join(dir, 'package.json')).version : undefined;

/** Unpacks the package into node_modules/<name> under the architecture's folder, once. */
const place = (architecture, name) => {
  const target = join(root, native.dir, architecture, 'node_modules', name);
  const kept = keptTarball(name);
  if (installedVersion(target) === version && existsSync(kept)) return;
  const file = tarball(name);
  // Unpacked aside on the same disk, then moved in whole: a cut run never leaves half a package.
  mkdirSync(join(root, native.dir), { recursive: true });
  const staging = mkdtempSync(join(root, native.dir, '.unpack-'));
  try {
    execFileSync('tar', ['-xzf', file, '-C', staging, '--strip-components=1']);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  renameSync(staging, target);
  console.log(`${native.dir}/${architecture}: ${name}@${version}`);
};

try {
  for (const [architecture, binary] of Object.entries(native.binaries)) {
    place(architecture, native.loader);
    place(architecture, binary);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
