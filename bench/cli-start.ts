/**
 * How long the `gatehouse` command takes to start (`gatehouse --version`: node, tsx and the
 * CLI's imports, no DynamoDB call), against a bare `node -e ''` in the same run: p50 of 15
 * spawns after 2 warm-ups. `npx tsx bench/cli-start.ts`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';
import { formatMs, formatRatio, median } from './lib/stats';

const RUN = fileURLToPath(new URL('../src/cli/run.mjs', import.meta.url));
const SAMPLES = 15;
const WARMUP = 2;

const spawnMs = (args: string[]): number => {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}`);
  return performance.now() - started;
};

const p50 = (args: string[]): number => {
  for (let i = 0; i < WARMUP; i++) spawnMs(args);
  return median(Array.from({ length: SAMPLES }, () => spawnMs(args)));
};

export const cliStart = async (): Promise<Figure[]> => {
  heading('gatehouse CLI start');
  const bare = p50(['-e', '']);
  const cli = p50([RUN, '--version']);
  print(
    markdownTable(
      ['what', 'p50'],
      [
        ["node -e ''", formatMs(bare)],
        ['gatehouse --version', formatMs(cli)],
        ['ratio', formatRatio(cli / bare)],
      ],
    ),
  );
  return [
    { name: 'gatehouse --version p50', value: formatMs(cli), target: 'context', meets: null },
  ];
};

runIfMain(import.meta.url, cliStart);
