import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DevStart, goneSoon, startDevService } from '../support/dev-start';

const OWNER = { email: 'owner@dev-start.example.com', password: 'a-long-dev-start-password' };

/** `npm start` as a developer runs it: the real dev/start.ts, its own DynamoDB Local jar. */
describe('npm start', () => {
  // Two JVM starts and a sign-in on a shared 2-core machine; nothing here is a timing figure.
  vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
  let service: DevStart;
  beforeAll(async () => {
    service = await startDevService({
      DEFAULT_OWNER_EMAIL: OWNER.email,
      DEFAULT_OWNER_PASSWORD: OWNER.password,
    });
  });
  afterAll(() => service?.cleanUp());

  const signIn = () =>
    fetch(`${service.url}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: OWNER.email, password: OWNER.password }),
    });

  it('restarts DynamoDB Local when it dies, on its port and data: sign-in works again', async () => {
    expect((await signIn()).status).toBe(200);
    const first = await service.jar();
    process.kill(first, 'SIGKILL');
    await service.waitForOutput('DynamoDB Local is back.');
    expect(service.output()).toContain(
      'DynamoDB Local was killed (SIGKILL); restarting it (1 of 3)',
    );
    const second = await service.jar();
    expect(second).not.toBe(first);
    // The owner made before the restart is still there: the same data directory.
    expect((await signIn()).status).toBe(200);
  });

  it('stops on SIGINT with DynamoDB Local frozen and a request hanging on it, leaving no jar', async () => {
    const jar = await service.jar();
    process.kill(jar, 'SIGSTOP');
    const hanging = signIn().then(
      (response) => response.status,
      () => 'connection closed',
    );
    // The request is in the service and waits on the frozen database.
    await new Promise((done) => setTimeout(done, 1000));
    const sent = Date.now();
    service.child.kill('SIGINT');
    const code = await service.exited;
    // Without the stop's own bound this waits forever (a SIGSTOPped JVM never answers).
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(code).toBe(0);
    expect(await goneSoon(jar)).toBe(true);
    expect(await hanging).toBeDefined();
  });
});

describe('npm start, a second Ctrl-C', () => {
  vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
  let service: DevStart;
  beforeAll(async () => {
    service = await startDevService({ DEFAULT_OWNER_PASSWORD: OWNER.password });
  });
  afterAll(() => service?.cleanUp());

  it('leaves at once, still taking its frozen DynamoDB Local with it', async () => {
    const jar = await service.jar();
    process.kill(jar, 'SIGSTOP');
    service.child.kill('SIGINT');
    await service.waitForOutput('Stopping…');
    service.child.kill('SIGINT');
    // 130: the second signal's exit, not the first stop's own end (0).
    expect(await service.exited).toBe(130);
    expect(service.output()).toContain('Stopping at once.');
    expect(await goneSoon(jar)).toBe(true);
  });
});
