import { describe, expect, it } from 'vitest';
import { startSession } from '../../../../src/core/sessions/sessions';
import { defaultScopeCatalog, scopeCatalogFromEnv } from '../../../../src/core/users/roles';
import { testDeps } from '../../../support/core-deps';
import { createUserWithPassword } from '../../../support/users';

describe('scope catalog', () => {
  it("grants the contract's defaults, cumulative by role", () => {
    expect(defaultScopeCatalog.viewer).toEqual([
      'profile',
      'tokens:read',
      'tokens:write',
      'read_user_session',
      'read_all_session',
      'model_download',
      'cli',
    ]);
    expect(defaultScopeCatalog.editor).toEqual([
      ...defaultScopeCatalog.viewer,
      'create_session',
      'start_session',
      'custom_model',
      'cancel_user_session',
      'delete_user_session',
      'revoke_user_token',
    ]);
    expect(defaultScopeCatalog.admin).toEqual([
      ...defaultScopeCatalog.editor,
      'users:read',
      'users:write',
      'audit:read',
      'tokens:introspect',
      'clients:read',
    ]);
    expect(defaultScopeCatalog.owner).toEqual([...defaultScopeCatalog.admin, 'clients:write']);
    expect(scopeCatalogFromEnv({})).toBe(defaultScopeCatalog);
  });

  it("replaces the protected APIs' scopes and keeps Gatehouse's own", () => {
    const catalog = scopeCatalogFromEnv({
      SCOPE_CATALOG: JSON.stringify({ viewer: ['orders:read'], admin: ['orders:refund'] }),
    });
    expect(catalog.viewer).toEqual(['profile', 'tokens:read', 'tokens:write', 'orders:read']);
    expect(catalog.editor).toEqual(catalog.viewer);
    expect(catalog.admin).toEqual([
      ...catalog.viewer,
      'users:read',
      'users:write',
      'audit:read',
      'tokens:introspect',
      'clients:read',
      'orders:refund',
    ]);
    expect(catalog.owner).toContain('clients:write');
  });

  it.each([
    ['not JSON', '{viewer'],
    ['a list', '[]'],
    ['an unknown role', '{"king":["x"]}'],
    ['a scope with a space', '{"viewer":["a b"]}'],
    ['a scope that is not a string', '{"viewer":[1]}'],
  ])('refuses %s, naming the setting', (_label, value) => {
    expect(() => scopeCatalogFromEnv({ SCOPE_CATALOG: value })).toThrow(/SCOPE_CATALOG/);
  });

  it('puts the configured scopes in access tokens', async () => {
    const deps = testDeps();
    deps.scopes = scopeCatalogFromEnv({ SCOPE_CATALOG: '{"viewer":["orders:read"]}' });
    const user = await createUserWithPassword(deps);
    const { access_token } = await startSession(deps, user);
    const claims = JSON.parse(
      Buffer.from(access_token.split('.')[1] as string, 'base64url').toString(),
    );
    expect(claims.scope).toBe('profile tokens:read tokens:write orders:read');
  });
});
