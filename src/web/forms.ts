import type * as z from 'zod/mini';
import { GatehouseError } from '../core/shared/errors';
import { describeIssue } from '../core/shared/validation';

/**
 * A form checked with the JSON API's own schema (src/http/schemas.ts), so a page accepts
 * nothing the API would refuse; the message names the field.
 */
export const checked = <T>(schema: z.ZodMiniType<T>, value: unknown): T => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new GatehouseError(
    'record_invalid',
    `${describeIssue(result.error).replace(/^body: /, '')}.`,
  );
};

/** A trimmed form or query value; empty means not given. */
export const given = (values: URLSearchParams, name: string) =>
  values.get(name)?.trim() || undefined;
