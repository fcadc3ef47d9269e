import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isProviderUnreachable,
  PROVIDER_BUDGET_MS,
  providerFetch,
  withProviderDeadline,
} from '../../../../src/http/federation/provider-fetch';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/hang') return; // never answers
    response.statusCode = request.url === '/down' ? 502 : 200;
    response.end('{}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const get = (path: string) =>
  providerFetch(`${base}${path}`, {
    method: 'GET',
    headers: {},
    body: undefined,
    redirect: 'manual',
  });

describe('requests to an identity provider', () => {
  it('pass a working answer through', async () => {
    expect((await get('/ok')).status).toBe(200);
  });

  it('count a 5xx and a refused connection as the provider unreachable', async () => {
    await expect(get('/down')).rejects.toSatisfy(isProviderUnreachable);
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await expect(
      providerFetch(`http://127.0.0.1:${port}/`, {
        method: 'GET',
        headers: {},
        body: undefined,
        redirect: 'manual',
      }),
    ).rejects.toSatisfy(isProviderUnreachable);
  });

  // A short budget here: the routes' own (PROVIDER_BUDGET_MS) leaves time to answer in 3 s.
  const budget = 300;

  it('leave a route time to answer within 3 s', () => {
    expect(PROVIDER_BUDGET_MS).toBeLessThanOrEqual(2500);
  });

  it('share one deadline per route, and give up at it', async () => {
    const started = Date.now();
    await expect(withProviderDeadline(() => get('/hang'), budget)).rejects.toSatisfy(
      isProviderUnreachable,
    );
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(budget - 50);
    expect(took).toBeLessThan(budget + 2000);
  });

  it('give up at the deadline even on work that ignores it', async () => {
    const started = Date.now();
    const never = () => new Promise<never>(() => {});
    await expect(withProviderDeadline(never, budget)).rejects.toSatisfy(isProviderUnreachable);
    expect(Date.now() - started).toBeLessThan(budget + 2000);
  });
});
