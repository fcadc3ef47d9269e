import autocannon from 'autocannon';
import { markdownTable } from './report';
import { formatCount, formatMs } from './stats';

/** What one autocannon run against one route answered: the figures the load benches print. */
export interface Volley {
  name: string;
  requestsPerSecond: number;
  total: number;
  p50: number;
  p99: number;
  /** Answers by status code, e.g. { 200: 120, 429: 4 }. */
  statuses: Record<string, number>;
  /** Connection errors and timeouts: no answer at all. */
  errors: number;
}

export const serverErrors = (volley: Volley): number =>
  Object.entries(volley.statuses)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);

/** Runs autocannon and reads its result as a Volley; `options` are autocannon's own. */
export const fire = async (name: string, options: autocannon.Options): Promise<Volley> => {
  const result = await autocannon(options);
  const statuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = stats.count ?? 0;
  }
  return {
    name,
    requestsPerSecond: result.requests.average,
    total: Object.values(statuses).reduce((sum, count) => sum + count, 0),
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    errors: result.errors + result.timeouts,
  };
};

const describeStatuses = (statuses: Record<string, number>): string =>
  Object.entries(statuses)
    .map(([status, count]) => `${status}: ${formatCount(count)}`)
    .join(', ');

export const volleyTable = (volleys: Volley[]): string =>
  markdownTable(
    ['Operation', 'req/s', 'answers', 'p50', 'p99', 'statuses', '5xx', 'no answer'],
    volleys.map((v) => [
      v.name,
      formatCount(v.requestsPerSecond),
      formatCount(v.total),
      formatMs(v.p50),
      formatMs(v.p99),
      describeStatuses(v.statuses),
      String(serverErrors(v)),
      String(v.errors),
    ]),
  );
