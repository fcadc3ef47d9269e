import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The only files served: a fixed list, so no path ever reaches the file system. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/id-token.js': { file: 'id-token.js', type: 'text/javascript; charset=utf-8' },
  '/claims-table.js': { file: 'claims-table.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/config.json': { file: 'config.json', type: 'application/json' },
};

/**
 * The app's own policy: its script and style only, fetches to itself and to a Gatehouse on
 * localhost or https. No referrer, so a `?code` never leaks in a Referer header.
 */
const HEADERS = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

const root = fileURLToPath(new URL('.', import.meta.url));

/** Serves examples/spa on 127.0.0.1 (port 0: a free one). */
export const startSpaServer = async (port: number) => {
  const server: Server = createServer((request, response) => {
    const found = FILES[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (!found || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { ...HEADERS, 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    readFile(`${root}${found.file}`).then(
      (body) => response.writeHead(200, { ...HEADERS, 'content-type': found.type }).end(body),
      () => response.writeHead(500, HEADERS).end(),
    );
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://localhost:${bound}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await startSpaServer(Number(process.env.PORT ?? 5173));
  console.log(`The sample app is at ${url} (Ctrl-C stops it)`);
}
