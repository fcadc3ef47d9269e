// Builds the hosted pages' script and stylesheet into web/dist (npm install runs it through
// `prepare`; `npm start`, `npm test` and `npm run synth` run it too, so a fresh clone works).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('.', import.meta.url));
mkdirSync(`${root}dist`, { recursive: true });
await build({
  entryPoints: [`${root}src/app.ts`, `${root}src/app.css`],
  outdir: `${root}dist`,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari16'],
  logLevel: 'warning',
});
