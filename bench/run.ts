/**
 * `npm run bench`: every section in order, then one summary of the figures and their targets.
 * Figures are printed, never asserted: a missed target does not fail the run.
 */
import { cpus } from 'node:os';
import { benchAuthorizer } from './authorizer';
import { benchBundles } from './bundles';
import { type Figure, heading, print, summaryTable } from './lib/report';
import { benchSignIn } from './sign-in';
import { benchTokenEndpoint } from './token-endpoint';
import { benchUsersList } from './users-list';

const main = async () => {
  const started = performance.now();
  const [cpu] = cpus();
  print(
    `# Gatehouse bench, ${new Date().toISOString()}\n\nNode ${process.versions.node}, ${cpus().length} x ${cpu?.model ?? 'unknown CPU'}.`,
  );
  const figures: Figure[] = [];
  for (const section of [
    benchAuthorizer,
    benchSignIn,
    benchTokenEndpoint,
    benchBundles,
    benchUsersList,
  ]) {
    figures.push(...(await section()));
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
