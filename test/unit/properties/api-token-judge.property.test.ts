import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../src/core/audit/audit';
import type { AccessTokenClaims } from '../../../src/core/tokens/access-tokens';
import { findApiToken } from '../../../src/core/tokens/api-token-judge';
import { apiTokenDigest, newApiTokenSecret } from '../../../src/core/tokens/api-token-secret';
import type { ApiTokenRecord } from '../../../src/core/tokens/api-tokens';
import { introspectToken } from '../../../src/core/tokens/introspection';
import { revokeAnyToken } from '../../../src/core/tokens/token-revocation';
import { defaultScopeCatalog, type Role } from '../../../src/core/users/roles';
import type { UserRecord } from '../../../src/core/users/users';
import { createAuthorizer } from '../../../src/http/authorizer';
import { type TestDeps, testDeps } from '../../support/core-deps';
import { aUser } from '../../support/users';

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
  /** A machine user's token (default: a person's). */
  machine?: boolean;
  /** Settings (MFA_REQUIRED_ROLES). */
  env?: Record<string, string>;
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
    label: "an admin's token made without a factor, under MFA_REQUIRED_ROLES=admin: identity only",
    role: 'admin',
    env: { MFA_REQUIRED_ROLES: 'admin' },
    expected: { active: true, scope: '' },
  },
  {
    label: "an admin's token made with a factor, under MFA_REQUIRED_ROLES=admin: the grants",
    role: 'admin',
    env: { MFA_REQUIRED_ROLES: 'admin' },
    token: { mfaAtCreation: true },
    expected: { active: true, scope: defaultScopeCatalog.admin.join(' ') },
  },
  {
    label:
      "an editor's token made without a factor, raised to admin under MFA_REQUIRED_ROLES=admin",
    env: { MFA_REQUIRED_ROLES: 'admin' },
    token: { scopes: ['profile', 'users:read'], mfaAtCreation: false },
    after: async (deps, owner) =>
      deps.store.updateUser(owner, { ...owner, role: 'admin', updatedAt: owner.updatedAt + 1 }),
    expected: { active: true, scope: '' },
  },
  {
    label:
      "a machine admin's token under MFA_REQUIRED_ROLES=admin: not held back (no factor to have)",
    role: 'admin',
    machine: true,
    env: { MFA_REQUIRED_ROLES: 'admin' },
    expected: { active: true, scope: defaultScopeCatalog.admin.join(' ') },
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
    mfaRequiredRoles: deps.config.mfaRequiredRoles,
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

interface Observed {
  verdict: Awaited<ReturnType<typeof findApiToken>>;
  authorizer: Record<string, string>;
  introspection: Awaited<ReturnType<typeof introspectToken>>;
  /** Whether revocation by an owner changed the stored token. */
  revoked: boolean;
}

/** Stores the token (unless `stored` is false), applies `after`, and asks all three judges. */
const judgeEverywhere = async (
  deps: TestDeps,
  owner: UserRecord,
  spec: Pick<Case, 'token' | 'after' | 'present' | 'stored'>,
): Promise<Observed> => {
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
    ...spec.token,
  };
  if (spec.stored !== false) await deps.store.createApiToken(record);
  await spec.after?.(deps, owner, record);
  const presented = spec.present ? spec.present(secret) : secret;
  const verdict = await findApiToken(deps, presented);
  const decision = (await authorizerOver(deps)(httpEvent(presented))) as {
    context: Record<string, string>;
  };
  const introspection = await introspectToken(deps, presented, notAJwt);
  const before = (await deps.store.getApiToken(record.tokenId))?.revokedAt ?? null;
  const actor = { kind: 'user' as const, user: revoker, tokenId: null };
  await revokeAnyToken(deps, actor, presented, notAJwt, noRequest);
  const after = (await deps.store.getApiToken(record.tokenId))?.revokedAt ?? null;
  return { verdict, authorizer: decision.context, introspection, revoked: after !== before };
};

describe('one API-token judge: authorizer, introspection and revocation agree', () => {
  it.each(cases)('$label', async (c) => {
    const deps = testDeps(c.env);
    const owner = aUser({ role: c.role ?? 'editor', ...(c.machine ? { type: 'machine' } : {}) });
    const seen = await judgeEverywhere(deps, owner, c);
    if (c.expected.active) {
      expect(seen.verdict).toMatchObject({ valid: true });
      expect(seen.verdict.valid && seen.verdict.scopes.join(' ')).toBe(c.expected.scope);
      expect(seen.authorizer).toMatchObject({ principal: 'user', scope: c.expected.scope });
      expect(seen.introspection).toMatchObject({ active: true, scope: c.expected.scope });
    } else {
      expect(seen.verdict.valid).toBe(false);
      expect(seen.authorizer).toMatchObject({ error_code: c.expected.code });
      expect(seen.introspection).toEqual({ active: false });
    }
    // Revocation acts on exactly the tokens the others call live.
    expect(seen.revoked).toBe(c.expected.active);
  });

  it('agree on any token state, and never grant beyond the owner’s current role', async () => {
    const roles = ['viewer', 'editor', 'admin', 'owner'] as const;
    const allScopes = [...defaultScopeCatalog.owner];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          madeAs: fc.constantFrom(...roles),
          nowRole: fc.constantFrom(...roles),
          status: fc.constantFrom('active', 'disabled', 'pending', 'deleted'),
          scopes: fc.option(fc.subarray(allScopes), { nil: null }),
          revoked: fc.boolean(),
          expiry: fc.constantFrom('none', 'past', 'future'),
          mistyped: fc.boolean(),
          mfaRequired: fc.subarray([...roles]),
          mfaAtCreation: fc.boolean(),
          type: fc.constantFrom('human', 'machine'),
        }),
        async (t) => {
          const deps = testDeps({ MFA_REQUIRED_ROLES: t.mfaRequired.join(',') });
          const owner = aUser({ role: t.madeAs, type: t.type });
          const now = deps.clock.now();
          const seen = await judgeEverywhere(deps, owner, {
            token: {
              scopes: t.scopes,
              expiresAt: t.expiry === 'none' ? null : now + (t.expiry === 'past' ? -1 : HOUR),
              revokedAt: t.revoked ? now - 1 : null,
              mfaAtCreation: t.mfaAtCreation,
            },
            after: async (d, o) => {
              if (t.status === 'deleted') return d.store.deleteUser(o);
              const changed = {
                ...o,
                role: t.nowRole,
                status: t.status,
                updatedAt: o.updatedAt + 1,
              };
              await d.store.updateUser(o, changed as UserRecord);
            },
            ...(t.mistyped ? { present: (secret: string) => `${secret.slice(0, -1)}!` } : {}),
          });
          const live = t.status === 'active' && !t.revoked && t.expiry !== 'past' && !t.mistyped;
          expect(seen.verdict.valid).toBe(live);
          expect(seen.introspection.active).toBe(live);
          expect(seen.authorizer.principal === 'user').toBe(live);
          expect(seen.revoked).toBe(live);
          if (!live || !seen.verdict.valid || !seen.introspection.active) return;
          const grants = defaultScopeCatalog[t.nowRole];
          expect(seen.verdict.scopes.every((s) => grants.includes(s))).toBe(true);
          // MFA_REQUIRED_ROLES: a person's token made without a factor carries no grant.
          const held = t.type === 'human' && t.mfaRequired.includes(t.nowRole) && !t.mfaAtCreation;
          if (held) expect(seen.verdict.scopes).toEqual([]);
          expect(seen.authorizer.scope).toBe(seen.verdict.scopes.join(' '));
          expect(seen.introspection.scope).toBe(seen.verdict.scopes.join(' '));
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);
});
