import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini tree-shakes to a few KiB (the classic API bundles every locale). Import `z` from
// 'zod/mini' by name where it is used: re-exporting the namespace would keep all of it.
z.config(en());

/** "field: message" for the first problem, the form every validation error takes. */
export const describeIssue = (error: z.core.$ZodError): string => {
  const issue = error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : 'body';
  return `${field}: ${issue?.message ?? 'is invalid'}`;
};
