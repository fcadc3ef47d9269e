import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** How the gate treats SES calls: pass them on, hold them unanswered, or fail them (500). */
export type GateMode = 'pass' | 'hold' | 'fail';

/**
 * A stand-in for SES that the test steers, in front of the local SES emulator: set it as
 * SES_ENDPOINT to make SES slow (held calls wait until the mode goes back to `pass`) or failing.
 * No mock of the mail path: the service's real SES client talks to it over HTTP.
 */
export const sesGate = () => {
  let target: string | undefined;
  let mode: GateMode = 'pass';
  let held: (() => void)[] = [];
  let failed = 0;

  const forward = async (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    if (!target) throw new Error('The SES gate has no target yet.');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) {
        headers[name] = value;
      }
    }
    const answer = await fetch(`${target}${request.url}`, {
      method: request.method ?? 'POST',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    });
    response.end(Buffer.from(await answer.arrayBuffer()));
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const pass = () => void forward(request, body, response).catch(() => response.destroy());
      if (mode === 'fail') {
        failed++;
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"message":"SES is failing (test gate)"}');
      } else if (mode === 'hold') {
        held.push(pass);
      } else {
        pass();
      }
    });
  });

  return {
    start: () =>
      new Promise<string>((done) =>
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          done(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
        }),
      ),
    forwardTo: (url: string) => {
      target = url;
    },
    /** `pass` also lets every held call through. */
    setMode: (next: GateMode) => {
      mode = next;
      if (next === 'pass') {
        const waiting = held;
        held = [];
        for (const release of waiting) release();
      }
    },
    /** SES calls waiting unanswered now. */
    heldCount: () => held.length,
    /** SES calls failed so far. */
    failedCount: () => failed,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
};
