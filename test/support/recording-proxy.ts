import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  operation: string;
  table: string;
  body: Record<string, unknown> & { TableName?: string };
  /** The access key id the request was signed with (SigV4 `Credential=`). */
  accessKeyId: string;
  /** The session token sent with temporary credentials; empty with long-term ones. */
  sessionToken: string;
}

/** An HTTP proxy to DynamoDB Local that records each request's operation, body and signer. */
export const recordingProxy = async (target: string) => {
  const recorded: Recorded[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const body = JSON.parse(raw.toString('utf8') || '{}');
      recorded.push({
        operation,
        table: String(body.TableName ?? ''),
        body,
        accessKeyId: /Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? '',
        sessionToken: String(req.headers['x-amz-security-token'] ?? ''),
      });
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => res.destroy(error));
      forward.end(raw);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    recorded,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
};
