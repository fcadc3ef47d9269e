import type { AddressInfo } from 'node:net';
import { createServer, type Server, Socket } from 'node:net';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { HandlerExecutionContext, MetadataBearer, MiddlewareStack } from '@smithy/types';

/** How a dependency fails: busy (throttled), gone (connection refused) or frozen (no answer). */
export type FaultKind = 'throttle' | 'refuse' | 'hang';

const faultError = (kind: Exclude<FaultKind, 'hang'>): Error =>
  kind === 'throttle'
    ? new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded.',
        $metadata: { httpStatusCode: 400 },
      })
    : Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

interface FaultableClient {
  // biome-ignore lint/suspicious/noExplicitAny: any client's commands.
  middlewareStack: MiddlewareStack<any, MetadataBearer>;
}

/**
 * Faults in a real SDK client, through its middleware stack: from the `fromCall`-th call on
 * (counting every call, 1-based), each attempt of the call fails as `kind` says, inside the
 * SDK's retries (as DynamoDB itself would), so the retries and the budget are the real ones.
 */
export const injectFaults = (client: FaultableClient) => {
  let calls = 0;
  let commands: string[] = [];
  let fault: { kind: FaultKind; fromCall: number } | null = null;
  const FAULTY = 'testFaulty';
  client.middlewareStack.add(
    (next, context: HandlerExecutionContext) => async (args) => {
      calls += 1;
      commands.push(context.commandName ?? '');
      context[FAULTY] = fault && calls >= fault.fromCall ? fault.kind : null;
      return next(args);
    },
    // Below the budget's middleware (initialize, high), above the retries: once per call.
    { step: 'initialize', priority: 'low', name: 'testFaultCounter' },
  );
  client.middlewareStack.add(
    (next, context: HandlerExecutionContext) => async (args) => {
      const kind = context[FAULTY] as FaultKind | null;
      if (kind === 'hang') return new Promise<never>(() => {});
      if (kind) throw faultError(kind);
      return next(args);
    },
    // Each attempt, inside the retry middleware.
    { step: 'deserialize', priority: 'high', name: 'testFault' },
  );
  return {
    /** Every call from the `fromCall`-th of the count below fails as `kind`. */
    fail(kind: FaultKind, fromCall = 1) {
      calls = 0;
      commands = [];
      fault = { kind, fromCall };
    },
    heal() {
      fault = null;
    },
    /** Calls since the last `fail` (or ever). */
    calls: () => calls,
    countFromNow() {
      calls = 0;
      commands = [];
    },
    /** The commands called since the count began, in order. */
    commands: () => [...commands],
  };
};

/**
 * A TCP proxy to `target` (DynamoDB Local) whose far end can freeze: `pass` forwards, `hang`
 * accepts connections and never answers (a paused process), `refuse` closes each at once.
 */
export const faultyProxy = async (target: string) => {
  const upstream = new URL(target);
  let mode: 'pass' | 'hang' | 'refuse' = 'pass';
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (mode === 'refuse') return socket.destroy();
    if (mode === 'hang') return; // read nothing, answer nothing
    const far = new Socket();
    far.on('error', () => socket.destroy());
    far.connect(Number(upstream.port), upstream.hostname, () => {
      socket.pipe(far);
      far.pipe(socket);
    });
    socket.on('close', () => far.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** Existing connections are cut too: kept-alive sockets must meet the new mode. */
    set(next: typeof mode) {
      mode = next;
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
};

/** A port nothing listens on: a DynamoDB that is gone. */
export const closedPort = async (): Promise<string> => {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}`;
};
