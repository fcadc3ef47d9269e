import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '../../src/core/access-tokens';
import { findApiToken } from '../../src/core/api-token-judge';
import { apiTokenDigest, newApiTokenSecret } from '../../src/core/api-token-secret';
import type { ApiTokenRecord } from '../../src/core/api-tokens';
import { noRequest } from '../../src/core/audit';
import { introspectToken } from '../../src/core/introspection';
import { defaultScopeCatalog, type Role } from '../../src/core/roles';
import { revokeAnyToken } from '../../src/core/token-revocation';
import type { UserRecord } from '../../src/core/users';
import { createAuthorizer } from '../../src/http/authorizer';
import { type TestDeps, testDeps } from '../support/core-deps';
import { aUser } from '../support/users';

/**
 * Invariant (one API-token judge): the authorizer (hence every handler's principal),
 * introspection and revocation reach the same verdict on any API token, with the same scopes.
 */

const HOUR = 3_600_000;
const notAJwt = async (): Promise<AccessTokenClaims> => Promise.reject(new Error('not a JWT'));

interface Case {
  label: string;
  /** The owner's role when the token is made, and the change made afterwards. */
  role?: Role;
  token?: Partial<ApiTokenRecord>;
  after?: (deps: TestDeps, owner: UserRecord, record: ApiTokenRecord) => Promise<void>;
  /** What is presented instead of the real secret. */
  present?: (secret: string) => string;
  stored?: boolean;
  expected:
    | { active: false; code: 'token_invalid' | 'token_expired' }
    | { active: true; scope: string };
}

const editorGrants = defaultScopeCatalog.editor.join(' ');

const cases: Case[] = [
  { label: 'a live unscoped token', expected: { active: true, scope: editorGrants } },
  {
    label: "a scoped token, capped by its owner's grants",
    token: { scopes: ['profile', 'users:read'] },
    expected: { active: true, scope: 'profile' },
  },
  {
    label: 'a revoked token',
    after: async (deps, _owner, record) =>
      deps.store.revokeApiToken(record.tokenId, deps.clock.now()),
    expected: { active: false, code: 'token_invalid' },
  },
  {
    label: 'an expired token',
    token: { expiresAt: Date.UTC(2026, 0, 1) + HOUR },
    after: async (deps) => deps.clock.advance(2 * 3600),
    expected: { active: false, code: 'token_expired' },
  },
  {
    label: 'a token of a disabled owner',
    after: async (deps, owner) =>
      deps.store.updateUser(owner, {
        ...owner,
        status: 'disabled',
        updatedAt: owner.updatedAt + 1,
      }),
    expected: { active: false, code: 'token_invalid' },
  },
  {
    label: 'a token of a demoted owner (admin to viewer)',
    role: 'admin',
    token: { scopes: ['profile', 'users:read', 'tokens:read'] },
    after: async (deps, owner) =>
      deps.store.updateUser(owner, { ...owner, role: 'viewer', updatedAt: owner.updatedAt + 1 }),
    expected: {
      active: true,
      scope: ['profile', 'users:read', 'tokens:read']
        .filter((s) => defaultScopeCatalog.viewer.includes(s))
        .join(' '),
    },
  },
  {
    label: 'a token of a deleted owner',
    after: async (deps, owner) => deps.store.deleteUser(owner),
    expected: { active: false, code: 'token_invalid' },
  },
  {
    label: 'a token with a wrong checksum',
    present: (secret) => `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`,
    expected: { active: false, code: 'token_invalid' },
  },
  {
    label: 'an unknown (well-formed) token',
    stored: false,
    expected: { active: false, code: 'token_invalid' },
  },
  {
    label: 'a token whose stored hash differs',
    token: { hash: 'f'.repeat(64) },
    expected: { active: false, code: 'token_invalid' },
  },
];

const authorizerOver = (deps: TestDeps) =>
  createAuthorizer({
    issuer: deps.config.issuerUrl,
    audience: deps.config.audience,
    now: () => deps.clock.now(),
    loadKeys: async () => [],
    denyWithReason: true,
    defaultOwnerScope: null,
    isSessionRevoked: async () => true,
    revocationCacheSeconds: 0,
    apiTokens: {
      load: async (tokenId) => {
        const token = await deps.store.getApiToken(tokenId);
        if (!token) return null;
        const user = await deps.store.getUser(token.userId);
        return { token, owner: user && { role: user.role, status: user.status, type: user.type } };
      },
      markUsed: async () => undefined,
    },
    scopes: deps.scopes,
  });

const httpEvent = (secret: string) =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeKey: 'GET /me',
    rawPath: '/me',
    headers: { authorization: `Bearer ${secret}` },
    requestContext: {},
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('one API-token judge: authorizer, introspection and revocation agree', () => {
  it.each(cases)('$label', async (c) => {
    const deps = testDeps();
    const owner = aUser({ role: c.role ?? 'editor' });
    const revoker = aUser({ role: 'owner' });
    await deps.store.createUser(owner);
    await deps.store.createUser(revoker);
    const secret = newApiTokenSecret();
    const record: ApiTokenRecord = {
      ...apiTokenDigest(secret),
      name: 'judged',
      scopes: null,
      userId: owner.id,
      createdBy: owner.id,
      createdAt: deps.clock.now(),
      expiresAt: null,
      lifetimeSeconds: null,
      renewable: false,
      lastUsedAt: null,
      revokedAt: null,
      ...c.token,
    };
    if (c.stored !== false) await deps.store.createApiToken(record);
    await c.after?.(deps, owner, record);
    const presented = c.present ? c.present(secret) : secret;

    const verdict = await findApiToken(deps, presented);
    const decision = (await authorizerOver(deps)(httpEvent(presented))) as {
      isAuthorized: boolean;
      context: Record<string, string>;
    };
    const introspection = await introspectToken(deps, presented, notAJwt);

    if (c.expected.active) {
      expect(verdict).toMatchObject({ valid: true });
      expect(verdict.valid && verdict.scopes.join(' ')).toBe(c.expected.scope);
      expect(decision.context).toMatchObject({ principal: 'user', scope: c.expected.scope });
      expect(introspection).toMatchObject({ active: true, scope: c.expected.scope });
    } else {
      expect(verdict.valid).toBe(false);
      expect(decision.context).toMatchObject({ error_code: c.expected.code });
      expect(introspection).toEqual({ active: false });
    }

    // Revocation acts on exactly the tokens the others call live.
    const before = (await deps.store.getApiToken(record.tokenId))?.revokedAt ?? null;
    await revokeAnyToken(
      deps,
      { kind: 'user', user: revoker, tokenId: null },
      presented,
      notAJwt,
      noRequest,
    );
    const afterRevoke = (await deps.store.getApiToken(record.tokenId))?.revokedAt ?? null;
    expect(afterRevoke !== before).toBe(c.expected.active);
  });
});
