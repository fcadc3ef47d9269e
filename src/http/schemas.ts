import { z } from 'zod';

/** Request bodies. Strict: an unknown field is a 400, as the contract says for writes. */
export const SignInBody = z.strictObject({
  login: z.string().trim().min(1).max(320).describe('Email or username'),
  password: z.string().min(1).max(1024),
});

export const RefreshBody = z.strictObject({
  refresh_token: z.string().min(1).max(512),
});

export const SignOutBody = z
  .strictObject({
    refresh_token: z.string().min(1).max(512).optional(),
    all: z.literal(true).optional().describe('With a bearer token: end every session'),
  })
  .refine((body) => (body.refresh_token === undefined) !== (body.all === undefined), {
    message: 'give either refresh_token or all: true',
  });

export type SignInBody = z.infer<typeof SignInBody>;
export type RefreshBody = z.infer<typeof RefreshBody>;
export type SignOutBody = z.infer<typeof SignOutBody>;
