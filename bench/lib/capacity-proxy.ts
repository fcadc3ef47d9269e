import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Capacity units summed over the requests that went through the proxy. */
export interface Units {
  read: number;
  write: number;
  calls: number;
}

interface Consumed {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const READS = /^(GetItem|BatchGetItem|Query|Scan|TransactGetItems)$/;

/**
 * A proxy in front of DynamoDB Local that asks every request for its consumed capacity
 * (`ReturnConsumedCapacity: INDEXES`, so index writes count) and sums the answers: what a
 * request costs on on-demand DynamoDB, whatever code path or client made it.
 */
export const capacityProxy = async (target: string) => {
  const totals: Units = { read: 0, write: 0, calls: 0 };
  const upstream = new URL(target);
  const count = (operation: string, answer: Buffer) => {
    let parsed: { ConsumedCapacity?: Consumed | Consumed[] };
    try {
      parsed = JSON.parse(answer.toString('utf8') || '{}');
    } catch {
      return;
    }
    totals.calls++;
    for (const unit of [parsed.ConsumedCapacity ?? []].flat()) {
      const split = (unit.ReadCapacityUnits ?? 0) + (unit.WriteCapacityUnits ?? 0);
      if (split > 0) {
        totals.read += unit.ReadCapacityUnits ?? 0;
        totals.write += unit.WriteCapacityUnits ?? 0;
      } else if (READS.test(operation)) totals.read += unit.CapacityUnits ?? 0;
      else totals.write += unit.CapacityUnits ?? 0;
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      let body = Buffer.concat(chunks);
      if (operation && body.length > 0) {
        const json = JSON.parse(body.toString('utf8'));
        if (!/^(CreateTable|DescribeTable|ListTables|UpdateTimeToLive)/.test(operation)) {
          json.ReturnConsumedCapacity = 'INDEXES';
        }
        body = Buffer.from(JSON.stringify(json));
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          // DynamoDB Local does not check signatures: the rewritten body is accepted.
          headers: { ...req.headers, 'content-length': String(body.length) },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (part: Buffer) => parts.push(part));
          answer.on('end', () => {
            const whole = Buffer.concat(parts);
            count(operation, whole);
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            res.end(whole);
          });
        },
      );
      forward.on('error', (error) => res.destroy(error));
      forward.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    totals,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
};
