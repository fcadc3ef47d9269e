/**
 * How many random sequences a property runs. `npm test` (and CI) runs every property at full
 * strength; `npm run check`, the quick inner loop, sets PROPERTY_RUNS=quick and runs a quarter
 * of each, so a change still meets every property before it is committed, only with fewer draws.
 */
const QUICK_SHARE = 0.25;

export const propertyRuns = (full: number): number =>
  process.env.PROPERTY_RUNS === 'quick' ? Math.max(10, Math.round(full * QUICK_SHARE)) : full;
