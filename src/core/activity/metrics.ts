/** What the activity dashboard counts, per UTC hour and UTC day (docs/console.md). */
export const ACTIVITY_METRICS = [
  'sign_ins',
  'failed_sign_ins',
  'lockouts',
  'new_users',
  'mfa_challenges',
  'token_uses',
] as const;

export type ActivityMetric = (typeof ACTIVITY_METRICS)[number];

/** Increments or totals by metric; a metric left out is 0. */
export type ActivityCounts = Partial<Record<ActivityMetric, number>>;

export type ActivityGranularity = 'hour' | 'day';

/** One counter window: its UTC start as a sortable key, and when the store may forget it. */
export interface ActivityWindow {
  granularity: ActivityGranularity;
  /** `2026-12-07T03` (hour) or `2026-12-07` (day). */
  start: string;
  expiresAt: number;
}

/** The counts with every zero dropped: nothing to write when empty. */
export const nonZero = (counts: ActivityCounts): ActivityCounts =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== undefined && n !== 0));

/** Adds `more` into `into` (a shard's counter into a window's sum). */
export const addCounts = (into: ActivityCounts, more: ActivityCounts): ActivityCounts => {
  for (const metric of ACTIVITY_METRICS) {
    const n = more[metric];
    if (n) into[metric] = (into[metric] ?? 0) + n;
  }
  return into;
};
