import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Read and write request units, as on-demand DynamoDB bills them. */
export interface ReadWrite {
  read: number;
  write: number;
}

/** Capacity units summed over the requests that went through the proxy, in all and per table. */
export interface Units extends ReadWrite {
  calls: number;
  tables: Record<string, ReadWrite>;
}

interface Consumed {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const READS = /^(GetItem|BatchGetItem|Query|Scan|TransactGetItems)$/;

export const noUnits = (): Units => ({ read: 0, write: 0, calls: 0, tables: {} });

const addTo = (into: ReadWrite, read: number, write: number) => {
  into.read += read;
  into.write += write;
};

/** What `later` holds beyond `earlier`, divided by `runs`: the units of one run. */
export const unitsPerRun = (later: Units, earlier: Units, runs: number): Units => {
  const tables: Record<string, ReadWrite> = {};
  for (const [name, units] of Object.entries(later.tables)) {
    const before = earlier.tables[name] ?? { read: 0, write: 0 };
    tables[name] = {
      read: (units.read - before.read) / runs,
      write: (units.write - before.write) / runs,
    };
  }
  return {
    read: (later.read - earlier.read) / runs,
    write: (later.write - earlier.write) / runs,
    calls: (later.calls - earlier.calls) / runs,
    tables,
  };
};

export const copyUnits = (units: Units): Units => ({
  ...units,
  tables: Object.fromEntries(Object.entries(units.tables).map(([name, rw]) => [name, { ...rw }])),
});

/**
 * A proxy in front of DynamoDB Local that asks every request for its consumed capacity
 * (`ReturnConsumedCapacity: INDEXES`, so index writes count) and sums the answers: what a
 * request costs on on-demand DynamoDB, whatever code path or client made it.
 */
export const capacityProxy = async (target: string) => {
  const totals = noUnits();
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
      let read = unit.ReadCapacityUnits ?? 0;
      let write = unit.WriteCapacityUnits ?? 0;
      // Without the split, the operation says which kind the units are.
      if (split === 0 && READS.test(operation)) read = unit.CapacityUnits ?? 0;
      else if (split === 0) write = unit.CapacityUnits ?? 0;
      addTo(totals, read, write);
      const table = unit.TableName ?? '?';
      totals.tables[table] ??= { read: 0, write: 0 };
      addTo(totals.tables[table], read, write);
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
