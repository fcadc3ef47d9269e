import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

// Finding 5 over HTTP on DynamoDB Local: parallel guesses all reached bcrypt and were counted
// by read-then-write, and an account's email and username had separate counters.
const OWNER = { email: 'owner@lockout.test', password: 'lockout e2e owner passphrase' };
const PASSWORD = 'a member passphrase 123';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  LOCKOUT_THRESHOLD: '5',
  // Only the lockout may answer 429 here.
  RATE_LIMIT_PER_IP: '0',
});

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const newMember = async () => {
  const name = `m${randomUUID().slice(0, 8)}`;
  const reply = await call('POST', '/users', {
    token: ownerToken,
    json: { email: `${name}@lockout.test`, username: name, role: 'viewer', password: PASSWORD },
  });
  expect(reply.status, reply.text).toBe(201);
  return { email: `${name}@lockout.test`, username: name };
};

const attempt = (login: string, password: string) =>
  call('POST', '/auth/sign-in', { json: { login, password } });

describe('sign-in lockout over HTTP', () => {
  it('counts 50 parallel wrong passwords: at most the threshold are checked, then even the right one is 429', async () => {
    const member = await newMember();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        attempt(i % 2 ? member.email : member.username, 'not the password at all'),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    for (const login of [member.email, member.username]) {
      const locked = await attempt(login, PASSWORD);
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('too_many_attempts');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('shares one counter between the email and the username of an account', async () => {
    const member = await newMember();
    for (const login of [
      member.email,
      member.username,
      member.email.toUpperCase(),
      member.username,
      member.email,
    ]) {
      expect((await attempt(login, 'not the password at all')).status).toBe(401);
    }
    const locked = await attempt(member.username, PASSWORD);
    expect(locked.status).toBe(429);
  });

  it('gives the password grant the same account lock, as 400 invalid_grant', async () => {
    const member = await newMember();
    await Promise.all(
      Array.from({ length: 10 }, () => attempt(member.username, 'not the password at all')),
    );
    const client = await call('POST', '/clients', {
      token: ownerToken,
      json: { name: 'cli', grant_types: ['password'], confidential: true, first_party: true },
    });
    expect(client.status, client.text).toBe(201);
    const { client_id: id, client_secret: secret } = client.body;
    const grant = await call('POST', '/oauth/token', {
      body: new URLSearchParams({
        grant_type: 'password',
        username: member.email,
        password: PASSWORD,
      }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      },
    });
    expect(grant.status, grant.text).toBe(400);
    expect(grant.body.error).toBe('invalid_grant');
    expect((await attempt(member.email, PASSWORD)).status).toBe(429);
  });
});
