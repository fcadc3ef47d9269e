import { describe, expect, it } from 'vitest';
import { type Running, supervise } from '../../../dev/supervise';

/** A helper that dies when the test says so, and counts the stops asked of it. */
const fakeHelper = () => {
  let die: (what: string) => void = () => {};
  const helper = {
    stops: 0,
    running: {
      died: new Promise<string>((done) => {
        die = done;
      }),
      stop: async () => {
        helper.stops += 1;
      },
    } satisfies Running,
    die: (what: string) => die(what),
  };
  return helper;
};

const settle = () => new Promise((done) => setTimeout(done, 0));

const harness = (options: { failStarts?: number } = {}) => {
  const lines: string[] = [];
  const reasons: string[] = [];
  const started: ReturnType<typeof fakeHelper>[] = [];
  let clock = 0;
  let failures = options.failStarts ?? 0;
  const first = fakeHelper();
  const supervised = supervise(
    'Helper',
    first.running,
    async () => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('port taken\nmore detail');
      }
      const next = fakeHelper();
      started.push(next);
      return next.running;
    },
    {
      say: (line) => lines.push(line),
      giveUp: (reason) => reasons.push(reason),
      policy: { maxRestarts: 2, windowMs: 60_000 },
      now: () => clock,
    },
  );
  const latest = () => started.at(-1) ?? first;
  return {
    first,
    supervised,
    lines,
    reasons,
    started,
    latest,
    advance: (ms: number) => {
      clock += ms;
    },
  };
};

describe('supervise', () => {
  it('restarts a helper that dies unasked, and says so', async () => {
    const h = harness();
    h.first.die('was killed (SIGKILL)');
    await settle();
    expect(h.started).toHaveLength(1);
    expect(h.lines).toEqual([
      'Helper was killed (SIGKILL); restarting it (1 of 2)…',
      'Helper is back.',
    ]);
    expect(h.reasons).toEqual([]);
  });

  it('gives up past the bound within the window, and starts nothing more', async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) {
      h.latest().die(`exited (code ${i})`);
      await settle();
    }
    expect(h.started).toHaveLength(2);
    expect(h.reasons).toEqual([
      'Helper exited (code 2), after 2 restarts in 1 minutes: giving up.',
    ]);
  });

  it('forgets restarts older than the window', async () => {
    const h = harness();
    for (let i = 0; i < 4; i++) {
      h.latest().die('exited (code 1)');
      await settle();
      h.advance(40_000);
    }
    expect(h.started).toHaveLength(4);
    expect(h.reasons).toEqual([]);
  });

  it('counts a restart that fails against the bound, then gives up', async () => {
    const h = harness({ failStarts: 5 });
    h.first.die('exited (code 1)');
    await settle();
    await settle();
    expect(h.started).toHaveLength(0);
    expect(h.lines).toContain('Helper did not restart (port taken); restarting it (2 of 2)…');
    expect(h.reasons).toEqual([
      'Helper did not restart (port taken), after 2 restarts in 1 minutes: giving up.',
    ]);
  });

  it('stops the helper running now, and never restarts one that dies after a stop', async () => {
    const h = harness();
    h.first.die('exited (code 1)');
    await settle();
    await h.supervised.stop();
    expect(h.latest().stops).toBe(1);
    h.latest().die('exited (code 0)');
    await settle();
    expect(h.started).toHaveLength(1);
    expect(h.reasons).toEqual([]);
  });
});
