import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { BuiltFunction } from './assembly';

const runner = fileURLToPath(new URL('./lambda-runner.mjs', import.meta.url));
/** The stack's function timeout (lib/functions.ts). */
const TIMEOUT_MS = 10_000;
/** Enough of a function's own output to say why it failed. */
const OUTPUT_KEPT = 4000;

interface Reply {
  id?: string;
  ready?: boolean;
  result?: unknown;
  error?: string;
}

interface Instance {
  child: ChildProcess;
  ready: Promise<void>;
  pending: Map<string, (reply: Reply) => void>;
  output: string[];
}

export interface LambdaPool {
  /** Invokes a function by logical id on its warm instance, starting it on first use. */
  invoke(logicalId: string, event: unknown): Promise<unknown>;
  /** The logical ids of the functions started so far. */
  started(): string[];
  stop(): Promise<void>;
}

/**
 * One plain `node` process per function, started on first invocation and kept warm, as Lambda
 * keeps an execution environment: the lambda-runner loads the asset's handler with the
 * environment `environmentOf` gives (the template's, resolved), the task root as its working
 * directory and no loader of ours (execArgv empty: no tsx, no vitest).
 */
export const startLambdaPool = (
  functions: BuiltFunction[],
  environmentOf: (fn: BuiltFunction) => Record<string, string>,
): LambdaPool => {
  const byId = new Map(functions.map((fn) => [fn.logicalId, fn]));
  const instances = new Map<string, Instance>();

  const start = (fn: BuiltFunction): Instance => {
    const child = fork(runner, [fn.assetDir, fn.handler, String(TIMEOUT_MS)], {
      cwd: fn.assetDir,
      env: environmentOf(fn),
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      while (output.join('').length > OUTPUT_KEPT && output.length > 1) output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // DEBUG_BUNDLES=1: every function's log lines on the test's stderr, to see why one failed.
    if (process.env.DEBUG_BUNDLES) {
      child.stderr?.pipe(process.stderr);
      child.stdout?.pipe(process.stderr);
    }
    const pending = new Map<string, (reply: Reply) => void>();
    const ready = new Promise<void>((done, fail) => {
      child.on('message', (reply: Reply) => {
        if (reply.ready) done();
        else if (reply.id) pending.get(reply.id)?.(reply);
      });
      child.on('exit', (code) => {
        const error = `${fn.logicalId} exited (${code}):\n${output.join('')}`;
        fail(new Error(error));
        for (const answer of pending.values()) answer({ error });
      });
    });
    return { child, ready, pending, output };
  };

  return {
    async invoke(logicalId, event) {
      const fn = byId.get(logicalId);
      if (!fn) throw new Error(`No function ${logicalId} in the template`);
      let instance = instances.get(logicalId);
      if (!instance) {
        instance = start(fn);
        instances.set(logicalId, instance);
      }
      await instance.ready;
      const id = randomUUID();
      const context = {
        awsRequestId: id,
        functionName: logicalId,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${logicalId}`,
        memoryLimitInMB: String(fn.memoryMb),
        logGroupName: `/aws/lambda/${logicalId}`,
        logStreamName: 'local',
        callbackWaitsForEmptyEventLoop: true,
      };
      const { pending, child, output } = instance;
      const reply = await new Promise<Reply>((done) => {
        const timer = setTimeout(
          () => done({ error: `${logicalId} timed out after ${TIMEOUT_MS} ms` }),
          TIMEOUT_MS,
        );
        pending.set(id, (answer) => {
          clearTimeout(timer);
          done(answer);
        });
        child.send({ id, event, context });
      });
      pending.delete(id);
      if (reply.error) throw new Error(`${reply.error}\n--- output ---\n${output.join('')}`);
      return reply.result;
    },
    started: () => [...instances.keys()],
    async stop() {
      await Promise.all(
        [...instances.values()].map(
          ({ child }) =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill();
            }),
        ),
      );
    },
  };
};
