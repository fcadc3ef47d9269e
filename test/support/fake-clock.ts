import type { Clock } from '../../src/core/shared/clock';

export interface FakeClock extends Clock {
  advance(seconds: number): void;
}

export const fakeClock = (start = Date.UTC(2026, 0, 1)): FakeClock => {
  let now = start;
  return {
    now: () => now,
    advance: (seconds) => {
      now += seconds * 1000;
    },
  };
};
