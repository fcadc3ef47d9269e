import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../dev/local-stack';
import { loadConfig } from '../../src/core/shared/config';
import { print } from './report';

const restoreEnvironment = (snapshot: NodeJS.ProcessEnv) => {
  for (const name of Object.keys(process.env)) if (!(name in snapshot)) delete process.env[name];
  Object.assign(process.env, snapshot);
};

/**
 * Runs `measure` against a local stack of its own (in-memory DynamoDB Local, keys in a temp
 * dir), then stops it. startLocalStack writes its settings into process.env; the next section
 * gets it back as it was.
 */
export const withLocalStack = async <T>(
  env: Record<string, string>,
  measure: (stack: LocalStack) => Promise<T>,
): Promise<T> => {
  const keysDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const snapshot = { ...process.env };
  let stack: LocalStack | undefined;
  try {
    // Imported only now that LOG_LEVEL is set: the logger reads it when it loads.
    process.env.LOG_LEVEL = env.LOG_LEVEL ?? 'warn';
    const { startLocalStack } = await import('../../dev/local-stack');
    const started = performance.now();
    stack = await startLocalStack({ keysFile: join(keysDir, 'signing-keys.json'), env });
    print(
      `Local stack up in ${((performance.now() - started) / 1000).toFixed(1)} s at ${stack.url} (bcrypt cost ${loadConfig(process.env).bcryptCost}).`,
    );
    return await measure(stack);
  } finally {
    await stack?.stop();
    restoreEnvironment(snapshot);
    rmSync(keysDir, { recursive: true, force: true });
  }
};
