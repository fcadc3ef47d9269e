import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browser, toCallback, useFederationStack } from '../support/federation-stack';

/**
 * The federation callback under attack, against a real OpenID Provider that misbehaves on
 * request: state and nonce games, replays, a code from another flow, tampered ID tokens, a
 * mix-up between providers, a denial, and a provider that is down or never answers.
 * Invariant: each of these is refused and creates nothing (no user, no session).
 */
const OWNER = { email: 'owner@fed-attacks.test', password: 'attacks owner passphrase' };

// A provider that accepts connections and never answers: the 3 s bound must hold.
const sockets = new Set<Socket>();
const blackHole: Server = createServer((socket) => {
  sockets.add(socket);
});
await new Promise<void>((done) => blackHole.listen(0, '127.0.0.1', done));
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((done) => blackHole.close(done));
});
const blackHolePort = (blackHole.address() as { port: number }).port;

const { idp, call, signIn, stack } = await useFederationStack(
  {
    DEFAULT_OWNER_EMAIL: OWNER.email,
    DEFAULT_OWNER_PASSWORD: OWNER.password,
    REVOCATION_CACHE_SECONDS: '0',
    RATE_LIMIT_PER_IP: '0',
  },
  [
    { id: 'testidp', name: 'Test Provider' },
    { id: 'other', name: 'Another Provider' },
    { id: 'silent', name: 'Silent Provider', issuer: `http://127.0.0.1:${blackHolePort}` },
  ],
);

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const host = () => new URL(stack().url).host;

/** How many users and account creations there are: what no refusal may change. */
const created = async () => {
  const users = await call('GET', '/users?limit=200', { token: ownerToken });
  const creations = await call('GET', '/audit?action=sso.account_create', { token: ownerToken });
  return { users: users.body.users.length, creations: creations.body.events.length };
};

const expectRefused = (
  step: { status: number; body: string; cookies: string[] },
  status: number,
  code: string,
) => {
  expect(step.status, step.body).toBe(status);
  expect(JSON.parse(step.body).error.code).toBe(code);
  expect(step.cookies.some((c) => c.startsWith('gatehouse_session=') && !/Max-Age=0/.test(c))).toBe(
    false,
  );
};

let n = 0;
const somebody = () => {
  n++;
  idp.setUser({ sub: `sub-attack-${n}`, email: `attack-${n}@idp.test`, email_verified: true });
};

const withParam = (url: string, name: string, value: string) => {
  const changed = new URL(url);
  changed.searchParams.set(name, value);
  return changed.toString();
};

describe('the flow binding', () => {
  it('refuses a state that differs (401), and spends the flow', async () => {
    somebody();
    const before = await created();
    const { callback, browser: using } = await toCallback(stack().url, 'testidp');
    expectRefused(
      await using.get(withParam(callback, 'state', 'forged-state')),
      401,
      'token_invalid',
    );
    // The flow is spent: the genuine answer no longer works either.
    expectRefused(await using.get(callback), 401, 'token_invalid');
    expect(await created()).toEqual(before);
  });

  it('refuses a callback without the flow cookie (another browser): 401', async () => {
    somebody();
    const before = await created();
    const { callback } = await toCallback(stack().url, 'testidp');
    expectRefused(await browser().get(callback), 401, 'token_invalid');
    expect(await created()).toEqual(before);
  });

  it('refuses a replayed callback with the same cookie: 401', async () => {
    somebody();
    const { callback, browser: using } = await toCallback(stack().url, 'testidp');
    const handle = using.cookie(host(), 'gatehouse_federation') as string;
    const first = await using.get(callback);
    expect(first.status, first.body).toBe(302);
    using.setCookie(host(), 'gatehouse_federation', handle);
    expectRefused(await using.get(callback), 401, 'token_invalid');
  });

  it('lets exactly one of 50 parallel callbacks with the same flow cookie sign in (DynamoDB Local)', async () => {
    somebody();
    const { callback, browser: using } = await toCallback(stack().url, 'testidp');
    const handle = using.cookie(host(), 'gatehouse_federation') as string;
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => {
        const copy = browser();
        copy.setCookie(host(), 'gatehouse_federation', handle);
        return copy.get(callback);
      }),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 302)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(49);
  });

  it('refuses an answer for one provider delivered to another provider’s callback (mix-up): 401', async () => {
    somebody();
    const before = await created();
    const { callback, browser: using } = await toCallback(stack().url, 'testidp');
    const elsewhere = callback.replace('/auth/federated/testidp/', '/auth/federated/other/');
    expectRefused(await using.get(elsewhere), 401, 'token_invalid');
    expect(await created()).toEqual(before);
  });

  it('refuses an authorization response whose iss is not the provider (RFC 9207): 401', async () => {
    somebody();
    const before = await created();
    const { callback, browser: using } = await toCallback(stack().url, 'testidp');
    expectRefused(
      await using.get(withParam(callback, 'iss', 'https://evil.example.com')),
      401,
      'token_invalid',
    );
    // Nor without one: the provider advertises that it always sends it.
    const again = await toCallback(stack().url, 'testidp');
    const stripped = new URL(again.callback);
    stripped.searchParams.delete('iss');
    expectRefused(await again.browser.get(stripped.toString()), 401, 'token_invalid');
    expect(await created()).toEqual(before);
  });
});

describe('a browser', () => {
  it('is shown the error page, with the same status, when it asks for HTML', async () => {
    somebody();
    const { callback } = await toCallback(stack().url, 'testidp');
    const reply = await fetch(callback, {
      redirect: 'manual',
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await reply.text()).toContain('No sign-in is under way in this browser');
    const bad = await fetch(
      `${stack().url}/auth/federated/testidp?return_to=https%3A%2F%2Fevil.example.com`,
      {
        headers: { accept: 'text/html' },
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('codes', () => {
  it('refuses a replayed code in a fresh flow: 401', async () => {
    somebody();
    const { callback: used, browser: first } = await toCallback(stack().url, 'testidp');
    expect((await first.get(used)).status).toBe(302);
    const before = await created();
    const { callback: fresh, browser: second } = await toCallback(stack().url, 'testidp');
    const code = new URL(used).searchParams.get('code') as string;
    expectRefused(await second.get(withParam(fresh, 'code', code)), 401, 'token_invalid');
    expect(await created()).toEqual(before);
  });

  it('refuses an attacker’s unused code injected into a victim’s flow (PKCE): 401', async () => {
    somebody();
    const { callback: attackers } = await toCallback(stack().url, 'testidp');
    somebody();
    const before = await created();
    const { callback: victims, browser: victim } = await toCallback(stack().url, 'testidp');
    const code = new URL(attackers).searchParams.get('code') as string;
    expectRefused(await victim.get(withParam(victims, 'code', code)), 401, 'token_invalid');
    expect(await created()).toEqual(before);
  });
});

describe('ID tokens that fail a check', () => {
  for (const mode of ['nonce', 'audience', 'expired', 'signature'] as const) {
    it(`refuses an ID token with the wrong ${mode} (the rest as the provider signs it): 401`, async () => {
      somebody();
      const before = await created();
      const { callback, browser: using } = await toCallback(stack().url, 'testidp');
      idp.tamperNext(mode);
      expectRefused(await using.get(callback), 401, 'token_invalid');
      expect(await created()).toEqual(before);
    });
  }
});

describe('the provider says no', () => {
  it('answers access_denied with 403 forbidden and creates nothing', async () => {
    somebody();
    const before = await created();
    idp.denyNext();
    const { callback, browser: using } = await toCallback(stack().url, 'testidp');
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    expectRefused(await using.get(callback), 403, 'forbidden');
    expect(await created()).toEqual(before);
  });
});

describe('a provider that is down', () => {
  it('answers 503 with Retry-After within 3 s at the callback, creating nothing; then recovers', async () => {
    somebody();
    const { callback, browser: using } = await toCallback(stack().url, 'testidp');
    const before = await created();
    await idp.stop();
    try {
      const started = Date.now();
      const reply = await fetch(callback, {
        redirect: 'manual',
        headers: { cookie: `gatehouse_federation=${using.cookie(host(), 'gatehouse_federation')}` },
      });
      expect(reply.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      // The first leg needs no request: the discovery it was made from is cached.
      const start = await browser().get(`${stack().url}/auth/federated/testidp?return_to=%2F`);
      expect(start.status).toBe(302);
    } finally {
      await idp.restart();
    }
    expect(await created()).toEqual(before);
    const again = await toCallback(stack().url, 'testidp', 'return_to=%2Flanding', browser());
    expect((await again.browser.get(again.callback)).status).toBe(302);
  });
});

describe('a provider that never answers', () => {
  it('answers 503 with Retry-After within 3 s', async () => {
    const started = Date.now();
    const step = await browser().get(`${stack().url}/auth/federated/silent?return_to=%2F`);
    const ms = Date.now() - started;
    expectRefused(step, 503, 'unavailable');
    expect(ms).toBeLessThan(3000);
    expect(ms).toBeGreaterThanOrEqual(2000);
  });

  it('is asked again on the next request: a failed discovery is not cached', async () => {
    const connections = sockets.size;
    const step = await browser().get(`${stack().url}/auth/federated/silent?return_to=%2F`);
    expectRefused(step, 503, 'unavailable');
    expect(sockets.size).toBeGreaterThan(connections);
  });
});
