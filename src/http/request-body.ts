import type * as z from 'zod/mini';
import { GatehouseError } from '../core/shared/errors';
import { describeIssue } from '../core/shared/validation';

export const MAX_BODY_BYTES = 64 * 1024;

export interface RawBody {
  body: string | undefined;
  isBase64Encoded: boolean;
  contentType: string | undefined;
}

const invalid = (message: string) => new GatehouseError('record_invalid', message);

/**
 * Size, media type, JSON syntax, then the route's schema: the first failure is the answer.
 * `emptyIsObject`: a route whose every field is optional reads no body as `{}`.
 */
export const parseJsonBody = (
  raw: RawBody,
  schema: z.ZodMiniType,
  { emptyIsObject = false }: { emptyIsObject?: boolean } = {},
): unknown => {
  const bytes =
    raw.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(raw.body, raw.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new GatehouseError('payload_too_large', `The body is over ${MAX_BODY_BYTES / 1024} KiB.`);
  }
  let value: unknown;
  if (bytes.length > 0) {
    const mediaType = raw.contentType?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
      throw new GatehouseError('unsupported_media_type', 'Send the body as application/json.');
    }
    let pollution: string | undefined;
    try {
      // `__proto__` could reach an object's prototype downstream; refuse it at any depth.
      value = JSON.parse(bytes.toString('utf8'), (key, item: unknown) => {
        if (key === '__proto__') pollution = key;
        return item;
      });
    } catch {
      throw invalid('The body is not valid JSON.');
    }
    if (pollution) throw invalid('body: a "__proto__" key is not allowed.');
  }
  if (value === undefined && emptyIsObject && bytes.length === 0) value = {};
  if (value === undefined) throw invalid('body: a JSON object is required.');
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalid(`${describeIssue(result.error)}.`);
};

/**
 * The raw query string against the route's schema; a refusal names the parameter. A
 * parameter given twice is refused (API Gateway would join the values with a comma).
 */
export const parseQuery = (rawQuery: string, schema: z.ZodMiniType): unknown => {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    if (name in parameters) throw invalid(`query: ${name}: given more than once.`);
    parameters[name] = value;
  }
  const result = schema.safeParse(parameters);
  if (result.success) return result.data;
  throw invalid(`${describeIssue(result.error).replace(/^body: /, 'query: ')}.`);
};

/**
 * An `application/x-www-form-urlencoded` body, as RFC 6749 has `/oauth/*` take: a parameter
 * given twice is refused, as the RFC says; unknown ones are ignored.
 */
export const parseFormBody = (raw: RawBody, schema: z.ZodMiniType): unknown => {
  const text =
    raw.body === undefined
      ? ''
      : Buffer.from(raw.body, raw.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new GatehouseError('payload_too_large', `The body is over ${MAX_BODY_BYTES / 1024} KiB.`);
  }
  const mediaType = raw.contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw new GatehouseError(
      'unsupported_media_type',
      'Send the parameters as application/x-www-form-urlencoded.',
    );
  }
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (name in parameters) throw invalid(`${name}: given more than once.`);
    parameters[name] = value;
  }
  const result = schema.safeParse(parameters);
  if (result.success) return result.data;
  throw invalid(`${describeIssue(result.error).replace(/^body: /, '')}.`);
};
