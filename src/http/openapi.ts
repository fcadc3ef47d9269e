import * as z from 'zod/mini';
import '../core/shared/validation';
import { errorComponents, errorResponses } from './openapi-errors';
import { routes } from './routes';

const operationId = (method: string, path: string) =>
  `${method.toLowerCase()}${path
    .replace(/[{}.]/g, '')
    .split(/[/-]/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('')}`;

/** The OpenAPI 3.1 document, made from the route table and its schemas. */
export const openApiDocument = (serverUrl: string) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      operationId: operationId(route.method, route.path),
      summary: route.summary,
      // OpenAPI 3.1 lets non-OAuth schemes list roles: here, the scope the token must hold.
      security:
        route.auth === 'public'
          ? []
          : route.auth === 'optional'
            ? [{}, { bearer: [] }]
            : [{ bearer: route.scope ? [route.scope] : [] }],
      responses: { [route.success]: { description: 'Success' }, ...errorResponses(route) },
    };
    if (route.query) {
      const schema = z.toJSONSchema(route.query, { io: 'input' }) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      operation.parameters = Object.entries(schema.properties ?? {}).map(([name, property]) => ({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        schema: property,
      }));
    }
    const pathNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
    if (pathNames.length) {
      operation.parameters = [
        ...pathNames.map((name) => ({
          name,
          in: 'path',
          required: true,
          schema: { type: 'string' },
        })),
        ...((operation.parameters as unknown[]) ?? []),
      ];
    }
    if (route.form) {
      operation.requestBody = {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: z.toJSONSchema(route.form, { io: 'input' }),
          },
        },
      };
    }
    if (route.body) {
      operation.requestBody = {
        required: route.bodyOptional !== true,
        content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input' }) } },
      };
    }
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    // No licence is chosen (package.json is private): an SPDX reference to say so.
    info: {
      title: 'Gatehouse',
      version: '1',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      ...errorComponents,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
  };
};
