import { type Route, routes } from './routes';

const compile = (path: string): RegExp =>
  new RegExp(
    `^${path
      .split('/')
      .map((part) =>
        /^\{\w+\}$/.test(part) ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/')}$`,
  );

export type RouteMatch<R> =
  | { kind: 'found'; route: R; routeKey: string; pathParameters: Record<string, string> }
  | { kind: 'wrong_method'; allowed: string[] }
  | { kind: 'none' };

/** Matches a request as API Gateway does: by path, then by method. */
export const createRouteMatcher = <R extends { method: string; path: string }>(
  table: readonly R[],
) => {
  const compiled = table.map((route) => ({
    route,
    pattern: compile(route.path),
    names: [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string),
  }));
  return (method: string, path: string): RouteMatch<R> => {
    const allowed: string[] = [];
    for (const { route, pattern, names } of compiled) {
      const match = pattern.exec(path);
      if (!match) continue;
      if (route.method !== method.toUpperCase()) {
        allowed.push(route.method);
        continue;
      }
      const pathParameters = Object.fromEntries(
        names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]),
      );
      return { kind: 'found', route, routeKey: `${route.method} ${route.path}`, pathParameters };
    }
    return allowed.length ? { kind: 'wrong_method', allowed } : { kind: 'none' };
  };
};

/** Gatehouse's own routes. */
export const matchRoute: (method: string, path: string) => RouteMatch<Route> =
  createRouteMatcher(routes);
