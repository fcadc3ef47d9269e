import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** 32 random bytes as 43 base64url characters. */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

/** Secrets are stored only as this digest. */
export const sha256 = (value: string): string =>
  createHash('sha256').update(value, 'utf8').digest('base64url');
