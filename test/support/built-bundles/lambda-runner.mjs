// Plays Lambda's Node.js runtime for one function, in plain node: loads the handler module from
// the task root (argv[2]) as the runtime does (`file.export`, .js then .mjs then .cjs), once, and
// answers each invocation the parent sends over IPC on that warm instance.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [taskRoot, handlerSetting, timeoutMs] = process.argv.slice(2);
const dot = handlerSetting.lastIndexOf('.');
const base = join(taskRoot, handlerSetting.slice(0, dot));
const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((path) => existsSync(path));
if (!file) throw new Error(`No handler module ${base}.{js,mjs,cjs}`);
const handler = (await import(pathToFileURL(file).href))[handlerSetting.slice(dot + 1)];
if (typeof handler !== 'function') throw new Error(`${handlerSetting} is not a function`);

process.on('message', async ({ id, event, context }) => {
  const deadline = Date.now() + Number(timeoutMs);
  const lambdaContext = {
    ...context,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    process.send({ id, result: await handler(event, lambdaContext) });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
