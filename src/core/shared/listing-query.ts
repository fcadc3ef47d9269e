import * as z from 'zod/mini';
import './validation';

/** A page's size, as every listing takes it (a query string's text is a number too). */
export const Limit = z.coerce.number().check(z.int(), z.gte(1), z.lte(200));

/** A listing's opaque cursor (cursor.ts). */
export const Cursor = z.string().check(z.minLength(1), z.maxLength(2048));
