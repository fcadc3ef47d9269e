/**
 * Paired sign-in latency of two running stacks (say this checkout and a worktree of an older
 * commit, each started with `npm start` on its own PORT, DYNAMODB_LOCAL_PORT, SES_LOCAL_PORT
 * and GATEHOUSE_DATA_DIR, with the same DEFAULT_OWNER_EMAIL and DEFAULT_OWNER_PASSWORD).
 * Requests alternate between the two, in alternating order, so a busy moment of a shared
 * machine costs both alike; the median of the paired differences is the figure to compare.
 *
 *   npx tsx bench/compare-sign-in.ts http://localhost:3101 http://localhost:3102 [pairs]
 * with LOGIN and PASSWORD set to the owner's.
 */
import { markdownTable, print } from './lib/report';
import { formatMs, median, quantile } from './lib/stats';

const [urlA, urlB, pairsArg] = process.argv.slice(2);
const PAIRS = Number(pairsArg || 60);
const WARMUP = 5;

const body = JSON.stringify({ login: process.env.LOGIN, password: process.env.PASSWORD });

const signIn = async (url: string): Promise<number> => {
  const started = performance.now();
  const response = await fetch(`${url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await response.text();
  if (response.status !== 200) throw new Error(`${url}: sign-in answered ${response.status}`);
  return performance.now() - started;
};

const main = async () => {
  if (!urlA || !urlB || !process.env.LOGIN || !process.env.PASSWORD) {
    throw new Error('usage: LOGIN=… PASSWORD=… tsx bench/compare-sign-in.ts URL_A URL_B [pairs]');
  }
  for (let i = 0; i < WARMUP; i++) {
    await signIn(urlA);
    await signIn(urlB);
  }
  const a: number[] = [];
  const b: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    let timeA: number;
    let timeB: number;
    if (i % 2) {
      timeA = await signIn(urlA);
      timeB = await signIn(urlB);
    } else {
      timeB = await signIn(urlB);
      timeA = await signIn(urlA);
    }
    a.push(timeA);
    b.push(timeB);
    diff.push(timeA - timeB);
  }
  print(
    markdownTable(
      ['Stack', 'p50', 'p90'],
      [
        [`A ${urlA}`, formatMs(median(a)), formatMs(quantile(a, 0.9))],
        [`B ${urlB}`, formatMs(median(b)), formatMs(quantile(b, 0.9))],
      ],
    ),
  );
  print();
  print(`Median of paired differences A - B: ${formatMs(median(diff))} over ${PAIRS} pairs.`);
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
  process.exitCode = 1;
});
