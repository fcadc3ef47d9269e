import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Revocation } from '../../../src/core/shared/store';
import { createRevocationView, type SessionStanding } from '../../../src/http/revocation-view';
import { propertyRuns } from '../../support/property-runs';

const START = Date.UTC(2026, 0, 1);
const WINDOW = 10_000;

/** A request after `advance` ms; the read it may start fails or not and takes `latency` ms. */
const step = fc.record({
  advance: fc.integer({ min: 0, max: 3_000 }),
  fails: fc.boolean(),
  latency: fc.integer({ min: 0, max: 2_000 }),
});

it('a session ended at t is refused at every time >= t + window, whatever reads fail or take and however the clock moves', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 1, maxLength: 40 }),
      fc.nat(39),
      async (steps, endAtStep) => {
        let now = START;
        let current = steps[0] as (typeof steps)[number];
        const feed: Revocation[] = [];
        const view = createRevocationView({
          now: () => now,
          windowMs: WINDOW,
          lookbackMs: 1_200_000,
          read: async (since) => {
            // What the read sees is fixed when it starts; the clock moves while it runs.
            const seen = feed.filter((entry) => entry.at >= since);
            const { fails, latency } = current;
            await Promise.resolve();
            now += latency;
            if (fails) throw new Error('feed down');
            return seen;
          },
        });
        const iat = START - 1_000;
        let endedAt: number | null = null;
        for (const [index, each] of steps.entries()) {
          current = each;
          now += each.advance;
          if (index === endAtStep) {
            endedAt = now;
            feed.push({ sid: 'victim', at: now });
          }
          const asked = now;
          const standing: SessionStanding | 'unavailable' = await Promise.resolve()
            .then(() => view.standing('victim', iat))
            .catch(() => 'unavailable' as const);
          if (endedAt !== null && asked >= endedAt + WINDOW) expect(standing).not.toBe('live');
        }
      },
    ),
    { numRuns: propertyRuns(300) },
  );
}, 120_000);
