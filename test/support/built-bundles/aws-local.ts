import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';

export interface PutEvent {
  Source: string;
  DetailType: string;
  EventBusName: string;
  Detail: string;
}

export interface AwsLocal {
  /** The endpoint for AWS_ENDPOINT_URL_EVENTBRIDGE and AWS_ENDPOINT_URL_LAMBDA. */
  url: string;
  /** Every entry PutEvents received. */
  events: PutEvent[];
  /** Resolves once every asynchronous invocation accepted so far has run. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const invocationPath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * EventBridge's PutEvents (JSON 1.1, recorded) and Lambda's Invoke (REST, run by `invoke`) as
 * the functions reach them with the real SDK: the user events, and the mailer's asynchronous
 * invocations (InvocationType Event: 202 at once, the run afterwards, as Lambda queues it).
 */
export const startAwsLocal = async (
  invoke: (functionName: string, event: unknown) => Promise<unknown>,
): Promise<AwsLocal> => {
  const events: PutEvent[] = [];
  const runs: Promise<unknown>[] = [];
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  });
  const answer = async (request: IncomingMessage, body: string): Promise<Answer> => {
    if (request.headers['x-amz-target'] === 'AWSEvents.PutEvents') {
      const { Entries } = JSON.parse(body) as { Entries: PutEvent[] };
      events.push(...Entries);
      const accepted = Entries.map(() => ({ EventId: randomUUID() }));
      return json(200, { FailedEntryCount: 0, Entries: accepted });
    }
    const name = invocationPath.exec(new URL(request.url ?? '/', 'http://x').pathname)?.[1];
    if (request.method !== 'POST' || !name) {
      return json(400, { message: `Not served: ${request.method} ${request.url}` });
    }
    const run = invoke(decodeURIComponent(name), JSON.parse(body || '{}'));
    if (request.headers['x-amz-invocation-type'] === 'Event') {
      runs.push(run);
      return json(202, undefined);
    }
    return run.then(
      (result) => json(200, result ?? null),
      (error: unknown) =>
        json(200, { errorMessage: String(error) }, { 'x-amz-function-error': 'Unhandled' }),
    );
  };
  const server = createServer((request, response) => {
    void readBody(request)
      .then((body) => answer(request, body))
      .then(({ status, headers, body }) => {
        response.writeHead(status, headers);
        response.end(body);
      });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('aws-local did not listen');
  return {
    url: `http://127.0.0.1:${address.port}`,
    events,
    settled: async () => {
      await Promise.all(runs);
    },
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
};
