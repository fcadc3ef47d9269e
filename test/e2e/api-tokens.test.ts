import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

const OWNER = { email: 'owner@tokens.test', password: 'api tokens owner passphrase' };
const PASSWORD = 'a member passphrase 123';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
  API_TOKEN_MAX_TTL_SECONDS: '86400',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const pause = () => new Promise((wait) => setTimeout(wait, 1100));

let n = 0;
const createUser = async (role: string, extra: Record<string, unknown> = {}) => {
  n++;
  const reply = await call('POST', '/users', {
    token: ownerToken,
    json: { email: `${role}-${n}@tokens.test`, role, password: PASSWORD, ...extra },
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.user as { id: string; email: string };
};

const makeToken = async (token: string, json: Record<string, unknown>) => {
  const reply = await call('POST', '/tokens', { token, json });
  expect(reply.status, reply.text).toBe(201);
  return reply.body;
};

describe('API tokens', () => {
  it('shows the secret once, in its sat_ form, and works as a bearer', async () => {
    const created = await makeToken(ownerToken, { name: 'ci' });
    expect(created.token).toMatch(/^sat_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
    expect(created).toMatchObject({
      name: 'ci',
      scopes: null,
      renewable: false,
      revoked_at: null,
      expires_at: null,
    });
    expect(created.token_id).toMatch(/^tok_/);
    const record = await call('GET', `/tokens/${created.token_id}`, { token: ownerToken });
    expect(record.status).toBe(200);
    expect(record.body).not.toHaveProperty('token');
    expect(record.text).not.toContain(created.token);
    const me = await call('GET', '/me', { token: created.token });
    expect(me.status, me.text).toBe(200);
    expect(me.body.user.email).toBe(OWNER.email);
    const listed = await call('GET', '/tokens', { token: ownerToken });
    expect(listed.body.tokens.map((t: { token_id: string }) => t.token_id)).toContain(
      created.token_id,
    );
    expect(listed.text).not.toContain(created.token);
  });

  it('limits a scoped token to its scopes, with a default and maximum lifetime', async () => {
    const scoped = await makeToken(ownerToken, {
      name: 'read only',
      scopes: ['profile', 'tokens:read'],
    });
    const lifetime = Date.parse(scoped.expires_at) - Date.parse(scoped.created_at);
    expect(lifetime).toBe(86_400_000);
    expect((await call('GET', '/me', { token: scoped.token })).status).toBe(200);
    const users = await call('GET', '/users', { token: scoped.token });
    expect(users.status).toBe(403);
    expect(users.body.error.code).toBe('forbidden');
  });

  it('refuses unknown scopes, scopes beyond the grants, empty scopes and too long lives', async () => {
    const viewer = await createUser('viewer');
    const viewerToken = await signIn(viewer.email, PASSWORD);
    const cases: [Record<string, unknown>, number][] = [
      [{ name: 'x', scopes: ['no_such_scope'] }, 400],
      [{ name: 'x', scopes: [] }, 400],
      [{ name: 'x', scopes: ['profile'], expires_in: 86_401 }, 400],
      [{ name: 'x', scopes: ['users:read'] }, 403],
      [{ name: 'x', extra: true }, 400],
      [{ name: '' }, 400],
    ];
    for (const [json, status] of cases) {
      const reply = await call('POST', '/tokens', { token: viewerToken, json });
      expect(reply.status, JSON.stringify(json)).toBe(status);
    }
    const listed = await call('GET', '/tokens?include_revoked=true', { token: viewerToken });
    expect(listed.body.tokens).toEqual([]);
  });

  it('is capped by the token that makes it', async () => {
    const scoped = await makeToken(ownerToken, {
      name: 'maker',
      scopes: ['tokens:write', 'profile'],
    });
    const broader = await call('POST', '/tokens', {
      token: scoped.token,
      json: { name: 'x', scopes: ['users:read'] },
    });
    expect(broader.status).toBe(403);
    const unscoped = await call('POST', '/tokens', { token: scoped.token, json: { name: 'x' } });
    expect(unscoped.status).toBe(403);
    const narrower = await call('POST', '/tokens', {
      token: scoped.token,
      json: { name: 'x', scopes: ['profile'] },
    });
    expect(narrower.status).toBe(201);
  });

  it('stops working within REVOCATION_CACHE_SECONDS of a revocation, and still answers 200 with revoked_at', async () => {
    const created = await makeToken(ownerToken, { name: 'to revoke' });
    expect((await call('GET', '/me', { token: created.token })).status).toBe(200);
    expect(
      (await call('DELETE', `/tokens/${created.token_id}`, { token: ownerToken })).status,
    ).toBe(204);
    await pause();
    const refused = await call('GET', '/me', { token: created.token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_invalid');
    const record = await call('GET', `/tokens/${created.token_id}`, { token: ownerToken });
    expect(record.status).toBe(200);
    expect(record.body.revoked_at).not.toBeNull();
    const active = await call('GET', '/tokens', { token: ownerToken });
    expect(active.body.tokens.map((t: { token_id: string }) => t.token_id)).not.toContain(
      created.token_id,
    );
  });

  it('shrinks with a demotion and dies with its user', async () => {
    const admin = await createUser('admin');
    const adminSession = await signIn(admin.email, PASSWORD);
    const created = await makeToken(adminSession, { name: 'admin tool' });
    expect((await call('GET', '/users', { token: created.token })).status).toBe(200);
    await call('PATCH', `/users/${admin.id}`, { token: ownerToken, json: { role: 'viewer' } });
    await pause();
    expect((await call('GET', '/users', { token: created.token })).status).toBe(403);
    expect((await call('GET', '/me', { token: created.token })).status).toBe(200);
    await call('DELETE', `/users/${admin.id}`, { token: ownerToken });
    await pause();
    expect((await call('GET', '/me', { token: created.token })).status).toBe(401);
  });

  it('renews a renewable token by its original lifetime, and refuses the others with 409', async () => {
    const renewable = await makeToken(ownerToken, {
      name: 'r',
      scopes: ['profile'],
      expires_in: 3600,
      renewable: true,
    });
    const renewed = await call('POST', `/tokens/${renewable.token_id}/renew`, {
      token: ownerToken,
    });
    expect(renewed.status, renewed.text).toBe(200);
    expect(Date.parse(renewed.body.expires_at)).toBeGreaterThanOrEqual(
      Date.parse(renewable.expires_at),
    );
    const fixed = await makeToken(ownerToken, { name: 'f', scopes: ['profile'] });
    expect(
      (await call('POST', `/tokens/${fixed.token_id}/renew`, { token: ownerToken })).status,
    ).toBe(409);
  });

  it('makes tokens for machine users the caller manages, and hides others from strangers', async () => {
    const machine = await call('POST', '/users', {
      token: ownerToken,
      json: { type: 'machine', role: 'editor' },
    });
    const admin = await createUser('admin');
    const adminSession = await signIn(admin.email, PASSWORD);
    const forMachine = await makeToken(adminSession, {
      name: 'bot',
      user_id: machine.body.user.id,
    });
    expect(forMachine.user_id).toBe(machine.body.user.id);
    expect(forMachine.created_by).toBe(admin.id);
    const me = await call('GET', '/me', { token: forMachine.token });
    expect(me.body.user.type).toBe('machine');
    const human = await createUser('viewer');
    expect(
      (
        await call('POST', '/tokens', {
          token: adminSession,
          json: { name: 'x', user_id: human.id },
        })
      ).status,
    ).toBe(403);
    const viewerSession = await signIn(human.email, PASSWORD);
    expect(
      (await call('GET', `/tokens/${forMachine.token_id}`, { token: viewerSession })).status,
    ).toBe(404);
    expect((await call('GET', '/tokens?all=true', { token: viewerSession })).status).toBe(403);
    const all = await call('GET', '/tokens?all=true&limit=200', { token: adminSession });
    expect(all.body.tokens.map((t: { token_id: string }) => t.token_id)).toContain(
      forMachine.token_id,
    );
  });

  it('refuses garbage and typo-ed secrets without a lookup', async () => {
    const created = await makeToken(ownerToken, { name: 'typo' });
    const typo = `${created.token.slice(0, 10)}${created.token[10] === 'A' ? 'B' : 'A'}${created.token.slice(11)}`;
    for (const token of [typo, 'sat_short', `sat_${'A'.repeat(49)}`]) {
      const reply = await call('GET', '/me', { token });
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('token_invalid');
    }
  });

  it('records last_used_at without a write per request', async () => {
    const created = await makeToken(ownerToken, { name: 'used' });
    expect(created.last_used_at).toBeNull();
    await call('GET', '/me', { token: created.token });
    const record = await call('GET', `/tokens/${created.token_id}`, { token: ownerToken });
    expect(record.body.last_used_at).not.toBeNull();
  });
});
