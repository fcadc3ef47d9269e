import { vi } from 'vitest';

/**
 * Runs before each test file of a project whose worker keeps its modules between files
 * (`isolate: false`: the SDK, jose and the rest load once per worker, not once per file).
 * What a fresh process would give each file, this gives too:
 * - the environment as the worker started (a stack's settings, a file's credentials gone);
 * - Gatehouse's own modules loaded afresh (they read the environment once, as a Lambda cold
 *   start does), while node_modules stay loaded.
 */
const worker = globalThis as { pristineEnv?: NodeJS.ProcessEnv };
worker.pristineEnv ??= { ...process.env };
const pristine = worker.pristineEnv;
for (const name of Object.keys(process.env)) {
  if (!(name in pristine)) delete process.env[name];
}
Object.assign(process.env, pristine);
vi.resetModules();
vi.useRealTimers();
vi.restoreAllMocks();
