/**
 * Sign-in with TOTP against password-only sign-in, over HTTP on the local stack (DynamoDB Local,
 * the real handlers), in one run: latency p50/p95 of each path and of its steps, the extra
 * server time TOTP costs, and the DynamoDB calls each path makes (counted at the client's send).
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Secret, TOTP } from 'otpauth';
import { noRequest } from '../src/core/audit/audit';
import { withLocalStack } from './lib/local-stack';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';
import { formatMs, quantile } from './lib/stats';

/** One user per sample and path: a TOTP code is accepted once per 30 s step per factor. */
const SAMPLES = 40;
const WARMUP = 3;
/** Issue 15's target: the TOTP path costs at most one DynamoDB round trip more. */
const EXTRA_TRIPS_TARGET = 1;

/**
 * Every DynamoDB command the process sends (the stack runs in this process), by name: counted
 * at the SDK's base client, whose send the document client uses too (it shares the client's
 * middleware stack but not its class).
 */
const sent: string[] = [];
/** Sequential round trips: each time a call starts with none in flight. */
const trips = { inFlight: 0, count: 0 };
const countDynamoCalls = () => {
  const base = Object.getPrototypeOf(DynamoDBClient.prototype) as {
    send: (...args: unknown[]) => Promise<unknown>;
  };
  const send = base.send;
  base.send = function (this: { config?: { serviceId?: string } }, ...args: unknown[]) {
    if (this.config?.serviceId !== 'DynamoDB') return send.apply(this, args);
    sent.push((args[0] as object).constructor.name);
    if (trips.inFlight === 0) trips.count += 1;
    trips.inFlight += 1;
    return send.apply(this, args).finally(() => {
      trips.inFlight -= 1;
    });
  };
};

const codeAt = (secret: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

interface Account {
  login: string;
  secret: string | null;
  confirmedAt: number;
}

/** `count` users with the password, each with a confirmed TOTP factor when `withTotp`. */
const makeAccounts = async (password: string, count: number, withTotp: boolean) => {
  const [{ buildDeps }, { createUser }, { enrolTotp, confirmTotp }] = await Promise.all([
    import('../src/http/composition'),
    import('../src/core/users/user-management'),
    import('../src/core/mfa'),
  ]);
  const deps = buildDeps(process.env);
  const accounts: Account[] = [];
  for (let i = 0; i < count; i++) {
    const email = `${withTotp ? 'totp' : 'pwd'}-${i}-${randomBytes(4).toString('hex')}@bench.test`;
    const made = await createUser(
      deps,
      { kind: 'operator', name: 'bench' },
      { email, role: 'editor', password },
      noRequest,
    );
    if (!withTotp) {
      accounts.push({ login: email, secret: null, confirmedAt: 0 });
      continue;
    }
    const user = await deps.store.getUser(made.id);
    if (!user) throw new Error('the bench user is gone');
    const enrolled = await enrolTotp(deps, user, 'bench');
    const confirmedAt = deps.clock.now();
    await confirmTotp(
      deps,
      user,
      enrolled.factor_id,
      codeAt(enrolled.secret, confirmedAt),
      noRequest,
    );
    accounts.push({ login: email, secret: enrolled.secret, confirmedAt });
  }
  return accounts;
};

type Step = 'password only' | 'TOTP: sign-in (mfa_required)' | 'TOTP: /auth/mfa/verify';

const measure = async (url: string, password: string): Promise<Figure[]> => {
  const post = async (path: string, body: unknown, status: number) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== status) {
      throw new Error(`${path} answered ${response.status}, not ${status}: ${text}`);
    }
    return JSON.parse(text) as Record<string, unknown>;
  };
  const plain = await makeAccounts(password, SAMPLES + WARMUP, false);
  const withTotp = await makeAccounts(password, SAMPLES + WARMUP, true);

  const times = new Map<Step, number[]>();
  const calls = new Map<Step, string[]>();
  const roundTrips = new Map<Step, number[]>();
  /** One timed request, with the DynamoDB commands it sent. */
  const timed = async <T>(step: Step, work: () => Promise<T>, keep: boolean): Promise<T> => {
    sent.length = 0;
    trips.count = 0;
    const started = performance.now();
    const result = await work();
    const took = performance.now() - started;
    if (keep) {
      times.set(step, [...(times.get(step) ?? []), took]);
      calls.set(step, [...sent]);
      roundTrips.set(step, [...(roundTrips.get(step) ?? []), trips.count]);
    }
    return result;
  };
  const passwordOnly = (account: Account, keep: boolean) =>
    timed(
      'password only',
      () => post('/auth/sign-in', { login: account.login, password }, 200),
      keep,
    );
  const passwordAndTotp = async (account: Account, keep: boolean) => {
    const first = await timed(
      'TOTP: sign-in (mfa_required)',
      () => post('/auth/sign-in', { login: account.login, password }, 403),
      keep,
    );
    const code = codeAt(
      account.secret as string,
      Math.max(Date.now(), account.confirmedAt + 30_000),
    );
    await timed(
      'TOTP: /auth/mfa/verify',
      () => post('/auth/mfa/verify', { mfa_token: first.mfa_token, code }, 200),
      keep,
    );
  };
  for (let i = 0; i < WARMUP; i++) {
    await passwordOnly(plain[i] as Account, false);
    await passwordAndTotp(withTotp[i] as Account, false);
  }
  const totals: number[] = [];
  for (let i = WARMUP; i < SAMPLES + WARMUP; i++) {
    // Alternating, each first in turn: both paths see the same machine.
    const pair = [
      () => passwordOnly(plain[i] as Account, true),
      async () => {
        const before = performance.now();
        await passwordAndTotp(withTotp[i] as Account, true);
        totals.push(performance.now() - before);
      },
    ];
    if (i % 2) pair.reverse();
    for (const run of pair) await run();
  }

  const p = (values: number[], q: number) => quantile(values, q);
  const of = (step: Step) => times.get(step) ?? [];
  const plainCalls = calls.get('password only') ?? [];
  const totpCalls = [
    ...(calls.get('TOTP: sign-in (mfa_required)') ?? []),
    ...(calls.get('TOTP: /auth/mfa/verify') ?? []),
  ];
  /** The median over samples: a write the caller does not await may overlap the next call. */
  const trip = (step: Step) => quantile(roundTrips.get(step) ?? [], 0.5);
  const totpTrips = trip('TOTP: sign-in (mfa_required)') + trip('TOTP: /auth/mfa/verify');
  const row = (name: string, values: number[], commands: string[], sequential: number) => [
    `${name} (${values.length})`,
    formatMs(p(values, 0.5)),
    formatMs(p(values, 0.95)),
    String(commands.length),
    String(sequential),
    tally(commands),
  ];
  print();
  print(
    markdownTable(
      ['Sequential requests', 'p50', 'p95', 'DynamoDB calls', 'round trips', 'commands'],
      [
        row(
          'password only: POST /auth/sign-in',
          of('password only'),
          plainCalls,
          trip('password only'),
        ),
        row(
          'TOTP step 1: POST /auth/sign-in (403 mfa_required)',
          of('TOTP: sign-in (mfa_required)'),
          calls.get('TOTP: sign-in (mfa_required)') ?? [],
          trip('TOTP: sign-in (mfa_required)'),
        ),
        row(
          'TOTP step 2: POST /auth/mfa/verify',
          of('TOTP: /auth/mfa/verify'),
          calls.get('TOTP: /auth/mfa/verify') ?? [],
          trip('TOTP: /auth/mfa/verify'),
        ),
        row('password + TOTP, both requests', totals, totpCalls, totpTrips),
      ],
    ),
  );
  print();
  print(
    'Each sample: a user of its own (a TOTP code is accepted once per step), the two paths\n' +
      'interleaved. DynamoDB calls: commands the one request sent (the stack runs in this\n' +
      "process; the SDK client's send counted), parallel ones included; round trips: calls\n" +
      'started with none in flight (what the caller waits for in sequence).',
  );
  const extraMs = p(totals, 0.5) - p(of('password only'), 0.5);
  const extraCalls = totpCalls.length - plainCalls.length;
  const verifyOnly = p(of('TOTP: /auth/mfa/verify'), 0.5);
  return [
    {
      name: 'Sign-in p50, password only',
      value: `${formatMs(p(of('password only'), 0.5))} (p95 ${formatMs(p(of('password only'), 0.95))})`,
      target: '-',
      meets: null,
    },
    {
      name: 'Sign-in p50, password + TOTP (both requests)',
      value: `${formatMs(p(totals, 0.5))} = password only +${formatMs(extraMs)} (${(p(totals, 0.5) / p(of('password only'), 0.5)).toFixed(2)}x); verify alone ${formatMs(verifyOnly)}`,
      target: '-',
      meets: null,
    },
    {
      name: 'DynamoDB calls, password + TOTP vs password only',
      value: `${totpCalls.length} vs ${plainCalls.length} (+${extraCalls})`,
      target: '-',
      meets: null,
    },
    {
      name: 'Sequential DynamoDB round trips, TOTP sign-in step vs password only',
      value: `${trip('TOTP: sign-in (mfa_required)')} vs ${trip('password only')}; the verify request ${trip('TOTP: /auth/mfa/verify')} more`,
      target: `+${EXTRA_TRIPS_TARGET} at most (first step)`,
      meets: trip('TOTP: sign-in (mfa_required)') - trip('password only') <= EXTRA_TRIPS_TARGET,
    },
  ];
};

/** `GetItemCommand x2, QueryCommand` from a list of command names. */
const tally = (commands: string[]) => {
  const counts = new Map<string, number>();
  for (const name of commands) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts]
    .map(([name, n]) => `${name.replace(/Command$/, '')}${n > 1 ? ` x${n}` : ''}`)
    .join(', ');
};

export const benchSignInMfa = async (): Promise<Figure[]> => {
  heading('Sign-in with TOTP');
  countDynamoCalls();
  const password = randomBytes(24).toString('base64url');
  return withLocalStack(
    {
      DEFAULT_OWNER_EMAIL: 'owner@bench.example.com',
      DEFAULT_OWNER_PASSWORD: password,
      RATE_LIMIT_PER_IP: '0',
    },
    (stack) => measure(stack.url, password),
  );
};

runIfMain(import.meta.url, benchSignInMfa);
