/**
 * Where the time of one core call goes: every store call and every bcrypt is recorded as an
 * interval, store calls that overlap form one phase (one round trip, however many calls run
 * in it), and the call's wall time is split by what was running at each instant.
 */
import type { PasswordHasher } from '../../src/core/sessions/password-hasher';
import type { Store } from '../../src/core/shared/store';

interface Span {
  name: string;
  kind: 'store' | 'bcrypt';
  start: number;
  end: number;
}

/** One round trip: store calls in flight together. */
export interface Phase {
  calls: string[];
  start: number;
  end: number;
  /** Started while bcrypt ran: its latency hides behind bcrypt's, in part or whole. */
  besideBcrypt: boolean;
}

/** A call's wall time, split by what ran: bcrypt first, then store phases, then the rest. */
export interface Split {
  wall: number;
  bcrypt: number;
  /** Store time not hidden by bcrypt, per phase. */
  phases: number[];
  /** JavaScript between them: token signing, JSON, the audit record. */
  other: number;
}

export interface Trace {
  store: Store;
  /** The hasher with its bcrypt calls traced. */
  hasher(hasher: PasswordHasher): PasswordHasher;
  /** Runs `call` and answers its phases and the split of its wall time. */
  measure<T>(call: () => Promise<T>): Promise<{ result: T; phases: Phase[]; split: Split }>;
}

/** Wraps a store (and then a hasher) so each call of `measure` is traced. */
export const traced = (store: Store): Trace => {
  let spans: Span[] = [];
  const timed =
    <A extends unknown[], R>(name: string, kind: Span['kind'], run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const start = performance.now();
      try {
        return await run(...args);
      } finally {
        spans.push({ name, kind, start, end: performance.now() });
      }
    };
  const tracedStore = Object.fromEntries(
    Object.entries(store).map(([name, method]) => [
      name,
      timed(name, 'store', (...args: unknown[]) =>
        (method as (...a: unknown[]) => Promise<unknown>)(...args),
      ),
    ]),
  ) as unknown as Store;
  return {
    store: tracedStore,
    hasher: (hasher) => ({
      ...hasher,
      verify: timed('verify', 'bcrypt', hasher.verify),
      verifyDummy: timed('verifyDummy', 'bcrypt', hasher.verifyDummy),
    }),
    async measure(call) {
      spans = [];
      const start = performance.now();
      const result = await call();
      const end = performance.now();
      const phases = phasesOf(spans);
      return { result, phases, split: splitOf(spans, phases, start, end) };
    },
  };
};

const phasesOf = (spans: Span[]): Phase[] => {
  const bcrypts = spans.filter((s) => s.kind === 'bcrypt');
  const phases: Phase[] = [];
  for (const span of spans.filter((s) => s.kind === 'store').sort((a, b) => a.start - b.start)) {
    const last = phases.at(-1);
    if (last && span.start < last.end) {
      last.calls.push(span.name);
      last.end = Math.max(last.end, span.end);
    } else {
      phases.push({
        calls: [span.name],
        start: span.start,
        end: span.end,
        besideBcrypt: bcrypts.some((b) => b.start <= span.start && span.start < b.end),
      });
    }
  }
  return phases;
};

/** Sweeps the wall time in small steps: bcrypt wins an instant, then a store phase. */
const splitOf = (spans: Span[], phases: Phase[], start: number, end: number): Split => {
  const bcrypts = spans.filter((s) => s.kind === 'bcrypt');
  const split: Split = { wall: end - start, bcrypt: 0, phases: phases.map(() => 0), other: 0 };
  const step = 0.05;
  for (let t = start; t < end; t += step) {
    if (bcrypts.some((b) => b.start <= t && t < b.end)) {
      split.bcrypt += step;
      continue;
    }
    const phase = phases.findIndex((p) => p.start <= t && t < p.end);
    if (phase >= 0) split.phases[phase] = (split.phases[phase] ?? 0) + step;
    else split.other += step;
  }
  return split;
};
