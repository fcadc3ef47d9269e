import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../src/http/openapi';

type Responses = Record<
  string,
  { description: string; headers?: object; content?: Record<string, { schema: object }> }
>;
type Operation = { operationId: string; responses: Responses };

const document = openApiDocument('https://auth.gatehouse.test');
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({
    key: `${method.toUpperCase()} ${path}`,
    ...(operation as Operation),
  })),
);
const operation = (key: string) => {
  const found = operations.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no operation ${key}`);
  return found;
};
const schemaOf = (key: string, status: number) =>
  operation(key).responses[status]?.content?.['application/json']?.schema;

describe('the OpenAPI document', () => {
  let file: string;
  beforeAll(async () => {
    file = join(await mkdtemp(join(tmpdir(), 'gatehouse-openapi-')), 'openapi.json');
    await writeFile(file, JSON.stringify(document));
  });

  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it("passes redocly lint's recommended rules with no error and no warning", async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['--no-install', 'redocly', 'lint', file, '--extends=recommended', '--format=json'],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    );
    const report = JSON.parse(stdout) as { totals: object; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 30_000);

  it('marks the query parameters a route requires as required, and only those', () => {
    const query = (key: string) =>
      (
        operation(key) as unknown as {
          parameters: { name: string; in: string; required: boolean }[];
        }
      ).parameters
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => [parameter.name, parameter.required]);
    expect(query('DELETE /users/{id}/identities')).toEqual([
      ['provider', true],
      ['subject', true],
    ]);
    expect(query('GET /users').every(([, required]) => required === false)).toBe(true);
  });

  it('gives every operation a unique operationId and at least one 4xx answer', () => {
    const ids = operations.map((each) => each.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const each of operations) {
      expect(
        Object.keys(each.responses).some((status) => /^4\d\d$/.test(status)),
        each.key,
      ).toBe(true);
    }
  });

  it('lists each error status with the contract schema, narrowed to its codes', () => {
    expect(schemaOf('POST /auth/sign-in', 401)).toEqual({
      $ref: '#/components/schemas/Error',
      properties: { error: { properties: { code: { enum: ['invalid_credentials'] } } } },
    });
    expect(operation('GET /users').responses[401]?.description).toBe(
      '`token_invalid`, `token_expired`',
    );
    expect(operation('GET /users').responses[403]?.description).toContain('`forbidden`');
    expect(operation('GET /users/{id}').responses[404]?.description).toBe('`not_found`');
  });

  it('answers /oauth/* errors in the RFC 6749 schema', () => {
    expect(schemaOf('POST /oauth/token', 400)).toMatchObject({
      $ref: '#/components/schemas/OAuthError',
      properties: { error: { enum: expect.arrayContaining(['invalid_grant', 'invalid_request']) } },
    });
    expect(schemaOf('POST /oauth/token', 403)).toMatchObject({
      properties: { error: { enum: ['invalid_client', 'mfa_required'] } },
    });
  });

  it("sets Retry-After on a route's own 429 and lists the API's throttle on every route", () => {
    const signIn = operation('POST /auth/sign-in').responses[429];
    expect(signIn?.headers).toEqual({
      'Retry-After': { $ref: '#/components/headers/RetryAfter' },
    });
    expect(schemaOf('POST /auth/sign-in', 429)).toEqual({
      oneOf: [
        expect.objectContaining({ $ref: '#/components/schemas/Error' }),
        { $ref: '#/components/schemas/Throttled' },
      ],
    });
    expect(schemaOf('GET /.well-known/jwks.json', 429)).toEqual({
      $ref: '#/components/schemas/Throttled',
    });
  });
});
