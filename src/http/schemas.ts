import * as z from 'zod/mini';
import '../core/validation';

/** Request bodies. Strict: an unknown field is a 400, as the contract says for writes. */
export const SignInBody = z.strictObject({
  login: z.string().check(z.trim(), z.minLength(1), z.maxLength(320)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});

export const RefreshBody = z.strictObject({
  refresh_token: z.string().check(z.minLength(1), z.maxLength(512)),
});

export const SignOutBody = z
  .strictObject({
    refresh_token: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
    all: z.optional(z.literal(true)),
  })
  .check(
    z.refine((body) => (body.refresh_token === undefined) !== (body.all === undefined), {
      message: 'give either refresh_token or all: true',
    }),
  );

export type SignInBody = z.infer<typeof SignInBody>;
export type RefreshBody = z.infer<typeof RefreshBody>;
export type SignOutBody = z.infer<typeof SignOutBody>;
