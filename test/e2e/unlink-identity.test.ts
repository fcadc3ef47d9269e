import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/users/roles';
import { useLocalStack } from '../support/local-stack';

const OWNER = { email: 'owner@unlink.test', password: 'unlink e2e owner passphrase' };
const PASSWORD = 'an unlink member passphrase';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const unique = () => randomUUID().slice(0, 8);

const createUser = async (role: Role, identities: { provider: string; subject: string }[] = []) => {
  const email = `${role}-${unique()}@unlink.test`;
  const reply = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD, identities },
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.user as { id: string; email: string };
};

const unlinkPath = (id: string, identity: { provider: string; subject: string }) =>
  `/users/${id}/identities?${new URLSearchParams(identity)}`;

describe('DELETE /users/{id}/identities', () => {
  it('an owner unlinks: 204, gone from {user}, audited, the identity free again, sessions kept', async () => {
    const identity = { provider: 'corp', subject: `sub ${unique()}/+&` };
    const user = await createUser('editor', [
      identity,
      { provider: 'corp', subject: `kept${unique()}` },
    ]);
    const userToken = await signIn(user.email, PASSWORD);

    const reply = await call('DELETE', unlinkPath(user.id, identity), { token: ownerToken });
    expect(reply.status, reply.text).toBe(204);
    expect(reply.text).toBe('');

    const shown = await call('GET', `/users/${user.id}`, { token: ownerToken });
    expect(shown.body.user.identities.map((i: { subject: string }) => i.subject)).not.toContain(
      identity.subject,
    );
    expect(shown.body.user.identities).toHaveLength(1);
    const audit = await call(
      'GET',
      `/audit?action=user.unlink&target_id=${encodeURIComponent(user.id)}`,
      { token: ownerToken },
    );
    expect(audit.body.events.map((e: { detail: unknown }) => e.detail)).toEqual([identity]);
    // Not ended (as Keycloak): the user's session, and the password, still work.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call('GET', '/me', { token: userToken })).status).toBe(200);
    await signIn(user.email, PASSWORD);
    // The uniqueness item went with it: another user may now hold the identity.
    await createUser('viewer', [identity]);
  });

  it('is owners only (403 for an admin, nothing changed) and 404 for an unknown user or identity', async () => {
    const identity = { provider: 'corp', subject: `s-${unique()}` };
    const user = await createUser('viewer', [identity]);
    const admin = await createUser('admin');
    const adminToken = await signIn(admin.email, PASSWORD);
    const refused = await call('DELETE', unlinkPath(user.id, identity), { token: adminToken });
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    const viewerToken = await signIn(user.email, PASSWORD);
    expect(
      (await call('DELETE', unlinkPath(user.id, identity), { token: viewerToken })).status,
    ).toBe(403);
    const still = await call('GET', `/users/${user.id}`, { token: ownerToken });
    expect(still.body.user.identities).toHaveLength(1);

    const other = { provider: 'corp', subject: 'nobody-has-this' };
    for (const path of [unlinkPath(user.id, other), unlinkPath('no-such-user', identity)]) {
      const reply = await call('DELETE', path, { token: ownerToken });
      expect(reply.status, reply.text).toBe(404);
      expect(reply.body.error.code).toBe('not_found');
    }
  });

  it('two unlinks at once on DynamoDB: each is 204 or 409, and none is lost or undone', async () => {
    const identities = [1, 2, 3].map((n) => ({
      provider: 'corp',
      subject: `race-${n}-${unique()}`,
    }));
    const user = await createUser('viewer', identities);
    const statuses = await Promise.all(
      identities.map(
        async (identity) =>
          (await call('DELETE', unlinkPath(user.id, identity), { token: ownerToken })).status,
      ),
    );
    expect(statuses.every((status) => status === 204 || status === 409)).toBe(true);
    expect(statuses).toContain(204);
    const left = (await call('GET', `/users/${user.id}`, { token: ownerToken })).body.user
      .identities as { subject: string }[];
    // Exactly the ones answered 204 are gone: a 409 wrote nothing, a 204 was not overwritten.
    const kept = identities.filter((_, i) => statuses[i] === 409).map((i) => i.subject);
    expect(left.map((i) => i.subject).sort()).toEqual(kept.sort());
  });

  it('needs provider and subject, and nothing else (400 naming the field)', async () => {
    const user = await createUser('viewer', [{ provider: 'corp', subject: `q-${unique()}` }]);
    const missing = await call('DELETE', `/users/${user.id}/identities?provider=corp`, {
      token: ownerToken,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('subject');
    const extra = await call(
      'DELETE',
      `${unlinkPath(user.id, { provider: 'corp', subject: 'x' })}&all=1`,
      {
        token: ownerToken,
      },
    );
    expect(extra.status).toBe(400);
  });

  it('is in the OpenAPI document with its errors', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const operation = doc.paths['/users/{id}/identities'].delete;
    expect(Object.keys(operation.responses)).toEqual(
      expect.arrayContaining(['204', '400', '403', '404', '409']),
    );
  });
});
