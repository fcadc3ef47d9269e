import { describe, expect, it } from 'vitest';
import { describeScope, heldScopes } from '../../../../src/core/oauth/oauth-scopes';
import { defaultScopeCatalog, ROLES } from '../../../../src/core/users/roles';

const fallback = (scope: string) => `Use the API with the "${scope}" permission`;

describe('scopes in words', () => {
  it('gives every scope of the role table (and the OpenID ones) its own words', () => {
    const every = [...new Set(ROLES.flatMap((role) => heldScopes(defaultScopeCatalog, role)))];
    expect(every.length).toBeGreaterThan(20);
    const wordless = every.filter((scope) => describeScope(scope) === fallback(scope));
    expect(wordless).toEqual([]);
    // No two scopes read the same: the words tell them apart.
    expect(new Set(every.map(describeScope)).size).toBe(every.length);
  });

  it('names a scope it has no words for (one a SCOPE_CATALOG adds)', () => {
    expect(describeScope('reports:export')).toBe(fallback('reports:export'));
  });
});
