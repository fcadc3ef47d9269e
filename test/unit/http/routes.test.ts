import { describe, expect, it } from 'vitest';
import { buildScopeCatalog, scopesForRole } from '../../../src/core/users/roles';
import { functionSpecs } from '../../../src/http/functions';
import { routeKey, routes, speaksOAuth } from '../../../src/http/routes';
import { pageRouteKey, pageRoutes } from '../../../src/web/routes';

// Gatehouse's own scopes: those an owner holds when the protected APIs' catalog is empty.
const ownScopes = scopesForRole(
  buildScopeCatalog({ viewer: [], editor: [], admin: [], owner: [] }),
  'owner',
);

/** Invariants of the route table that the handler, OpenAPI, CDK and the local server rely on. */
describe('the route table', () => {
  it('names each route once, and no page route again', () => {
    const keys = routes.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    const pageKeys = new Set(pageRoutes.map(pageRouteKey));
    expect(keys.filter((key) => pageKeys.has(key))).toEqual([]);
  });

  it('routes each to a function with a spec, never the authorizer or the pages', () => {
    for (const route of routes) {
      expect(Object.keys(functionSpecs), routeKey(route)).toContain(route.function);
      expect(['authorizer', 'pages'], routeKey(route)).not.toContain(route.function);
    }
  });

  it('answers RFC 6749 errors exactly on /oauth/*, whose bodies are forms (speaksOAuth)', () => {
    for (const route of routes) {
      const oauth = route.path.startsWith('/oauth/');
      expect(speaksOAuth(route), routeKey(route)).toBe(oauth);
      if (route.form) expect(oauth, routeKey(route)).toBe(true);
      if (oauth) expect(route.body, routeKey(route)).toBeUndefined();
      // A form-less /oauth/* route reads only its bearer (userinfo): nothing else to parse.
      if (oauth && !route.form) expect(route.auth, routeKey(route)).toBe('bearer');
    }
  });

  it('gives GET no body', () => {
    for (const route of routes.filter((each) => each.method === 'GET')) {
      expect(route.body ?? route.form, routeKey(route)).toBeUndefined();
    }
  });

  it('asks a scope only of bearer routes, and only one of Gatehouse’s own', () => {
    for (const route of routes.filter((each) => each.scope)) {
      expect(route.auth, routeKey(route)).toBe('bearer');
      expect(ownScopes, routeKey(route)).toContain(route.scope);
    }
  });

  it('writes path parameters as API Gateway does, each once', () => {
    for (const route of routes) {
      expect(route.path, routeKey(route)).toMatch(/^(\/([\w.-]+|\{\w+\}))+$/);
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(new Set(names).size, routeKey(route)).toBe(names.length);
    }
  });

  it('answers success with a 2xx, or 302 for the SSO redirect', () => {
    for (const route of routes) {
      const ok = (route.success >= 200 && route.success < 300) || route.success === 302;
      expect(ok, routeKey(route)).toBe(true);
    }
  });

  it('lists a route’s extra errors once each, and RFC 6749 ones only on form routes', () => {
    for (const route of routes) {
      const errors = route.errors ?? [];
      expect(new Set(errors).size, routeKey(route)).toBe(errors.length);
      if (route.oauthErrors) expect(route.form, routeKey(route)).toBeDefined();
    }
  });
});
