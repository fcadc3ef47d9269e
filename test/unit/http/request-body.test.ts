import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  MAX_BODY_BYTES,
  parseFormBody,
  parseJsonBody,
  parseQuery,
  type RawBody,
} from '../../../src/http/request-body';

const Body = z.object({ name: z.string() });
const jsonBody = (body: string | undefined, contentType = 'application/json'): RawBody => ({
  body,
  isBase64Encoded: false,
  contentType,
});
const formBody = (body: string): RawBody => ({
  body,
  isBase64Encoded: false,
  contentType: 'application/x-www-form-urlencoded; charset=utf-8',
});

describe('parseJsonBody', () => {
  it('parses JSON (any +json type, base64 too) against the schema', () => {
    expect(parseJsonBody(jsonBody('{"name":"ada"}'), Body)).toEqual({ name: 'ada' });
    expect(parseJsonBody(jsonBody('{"name":"a"}', 'application/merge-patch+json'), Body)).toEqual({
      name: 'a',
    });
    const encoded = {
      ...jsonBody(Buffer.from('{"name":"b"}').toString('base64')),
      isBase64Encoded: true,
    };
    expect(parseJsonBody(encoded, Body)).toEqual({ name: 'b' });
  });

  it('refuses, first failure first: size, media type, syntax, __proto__, schema', () => {
    const big = `{"name":"${'x'.repeat(MAX_BODY_BYTES)}"}`;
    expect(() => parseJsonBody(jsonBody(big, 'text/plain'), Body)).toThrow(
      expect.objectContaining({ code: 'payload_too_large' }),
    );
    expect(() => parseJsonBody(jsonBody('{}', 'text/plain'), Body)).toThrow(
      expect.objectContaining({ code: 'unsupported_media_type' }),
    );
    expect(() => parseJsonBody(jsonBody('{'), Body)).toThrow('The body is not valid JSON.');
    expect(() => parseJsonBody(jsonBody('{"a":{"__proto__":{}}}'), Body)).toThrow('__proto__');
    expect(() => parseJsonBody(jsonBody('{"name":1}'), Body)).toThrow(
      expect.objectContaining({ code: 'record_invalid' }),
    );
  });

  it('requires a body', () => {
    expect(() => parseJsonBody(jsonBody(undefined), Body)).toThrow(
      'body: a JSON object is required.',
    );
  });
});

describe('parseQuery', () => {
  const Query = z.object({ q: z.optional(z.string()) });

  it('parses the query against the schema', () => {
    expect(parseQuery('q=ada', Query)).toEqual({ q: 'ada' });
    expect(parseQuery('', Query)).toEqual({});
  });

  it('refuses a parameter given twice, or one the schema refuses, naming it', () => {
    expect(() => parseQuery('q=a&q=b', Query)).toThrow('query: q: given more than once.');
    expect(() => parseQuery('q=a', z.object({ q: z.number() }))).toThrow(
      expect.objectContaining({ code: 'record_invalid', message: expect.stringMatching(/q: /) }),
    );
  });
});

describe('parseFormBody', () => {
  it('parses a form, ignoring unknown parameters', () => {
    expect(parseFormBody(formBody('name=ada&other=1'), Body)).toEqual({ name: 'ada' });
  });

  it('refuses another media type, a parameter given twice, or an oversized form', () => {
    expect(() => parseFormBody(jsonBody('name=ada'), Body)).toThrow(
      expect.objectContaining({ code: 'unsupported_media_type' }),
    );
    expect(() => parseFormBody(formBody('name=a&name=b'), Body)).toThrow(
      'name: given more than once.',
    );
    expect(() => parseFormBody(formBody(`name=${'x'.repeat(MAX_BODY_BYTES)}`), Body)).toThrow(
      expect.objectContaining({ code: 'payload_too_large' }),
    );
  });
});
