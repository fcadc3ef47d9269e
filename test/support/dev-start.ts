import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../dev/dynamodb-local';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A process's parent pid and state letter from /proc; null once it is gone (or a zombie). */
const procStat = (pid: number): { ppid: number; state: string } | null => {
  try {
    // `pid (comm) state ppid ...`: comm may hold spaces, so read after its last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' ? null : { ppid: Number(ppid), state: state ?? '' };
  } catch {
    return null;
  }
};

const isAlive = (pid: number): boolean => procStat(pid) !== null;

/** Whether `pid` is gone within a couple of seconds (a SIGKILL takes effect asynchronously). */
export const goneSoon = async (pid: number): Promise<boolean> => {
  for (let i = 0; i < 30 && isAlive(pid); i++) await new Promise((done) => setTimeout(done, 100));
  return !isAlive(pid);
};

/** The DynamoDB Local jars whose parent is `parent`. */
const jarsOf = (parent: number): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      if (procStat(pid)?.ppid !== parent) return false;
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal.jar');
      } catch {
        return false;
      }
    });

const until = async <T>(what: string, probe: () => T | null | undefined, ms: number) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = probe();
    if (found !== null && found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
};

export interface DevStart {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** The one DynamoDB Local jar it runs now (waits for it). */
  jar(): Promise<number>;
  waitForOutput(text: string, ms?: number): Promise<void>;
  /** Settles with the exit code (or signal) when the process ends. */
  exited: Promise<number | string>;
  /** Kills it and every jar it left, whatever state the test left them in. */
  cleanUp(): void;
}

/**
 * `npm start` for real (dev/start.ts in a child process) on free ports with its own data
 * directory, started and ready to answer. `env` adds settings.
 */
export const startDevService = async (env: Record<string, string>): Promise<DevStart> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-dev-start-'));
  const [port, dynamoPort, sesPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_LOCAL_PORT: String(dynamoPort),
      SES_LOCAL_PORT: String(sesPort),
      GATEHOUSE_DATA_DIR: dataDir,
      DYNAMODB_ENDPOINT: '',
      USERS_TABLE: '',
      TOKENS_TABLE: '',
      AUDIT_TABLE: '',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  const seen = new Set<number>();
  const pid = child.pid ?? 0;
  const service: DevStart = {
    url: `http://localhost:${port}`,
    child,
    output: () => output,
    waitForOutput: async (text, ms = 90_000) => {
      await Promise.race([
        until(`"${text}" in:\n${output}`, () => output.includes(text), ms),
        exited.then((code) => {
          if (!output.includes(text)) throw new Error(`dev/start.ts exited (${code}):\n${output}`);
        }),
      ]);
    },
    jar: () =>
      until(
        'the DynamoDB Local jar',
        () => {
          const jars = jarsOf(pid);
          for (const jar of jars) seen.add(jar);
          return jars.length === 1 ? jars[0] : null;
        },
        30_000,
      ),
    exited,
    cleanUp: () => {
      for (const jar of [...seen, ...jarsOf(pid)]) {
        if (isAlive(jar)) process.kill(jar, 'SIGKILL');
      }
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await service.waitForOutput('Gatehouse is running at');
  await service.jar();
  return service;
};
