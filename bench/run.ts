/**
 * `npm run bench`: every section in order, then one summary of the figures and their targets.
 * Figures are printed, never asserted: a missed target does not fail the run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Figure, heading, print, summaryTable } from './lib/report';

const SECTIONS = [
  'authorizer',
  'sign-in',
  'token-endpoint',
  'bundles',
  'users-list',
  'hot-keys',
  'load',
  'capacity',
];

/** One section in its own process (bench/run-section.ts says why); its figures come back. */
const runSection = (name: string, dir: string): Figure[] => {
  const out = join(dir, `${name}.json`);
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, join(import.meta.dirname, 'run-section.ts'), name, out],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) throw new Error(`bench section ${name} failed (exit ${run.status})`);
  return JSON.parse(readFileSync(out, 'utf8')) as Figure[];
};

const main = async () => {
  const started = performance.now();
  const [cpu] = cpus();
  print(
    `# Gatehouse bench, ${new Date().toISOString()}\n\nNode ${process.versions.node}, ${cpus().length} x ${cpu?.model ?? 'unknown CPU'}.`,
  );
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-figures-'));
  try {
    for (const name of SECTIONS) figures.push(...runSection(name, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  heading('Summary');
  print(summaryTable(figures));
  const missed = figures.filter((figure) => figure.meets === false).length;
  print();
  print(
    `${missed ? `${missed} target(s) missed` : 'All targets met'}; bench took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  );
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exitCode = 1;
});
