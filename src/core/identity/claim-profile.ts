import { displayForm } from '../users/users';

/** What a provider's token says of a person, as an account stores it. */
export interface SsoProfile {
  email: string;
  name: string | null;
  groups: string[];
  attributes: Record<string, string>;
}

// Fields a provider may never set through a claim.
const RESERVED = new Set(['role', 'status', 'id', 'type', 'password', 'passwordHash']);
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const MAX_ATTRIBUTES = 50;
const MAX_VALUE = 1024;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A claim's non-blank string value, trimmed; null otherwise. */
export const claimText = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim() : null;

/** A claim usable as an account's email, in display form; null when it is not one. */
export const claimEmail = (value: unknown): string | null => {
  const email = claimText(value);
  return email && email.length <= 254 && EMAIL.test(email) ? displayForm(email) : null;
};

/** A groups claim: its distinct non-empty strings; anything but an array is none. */
export const claimGroups = (value: unknown): string[] =>
  Array.isArray(value)
    ? [...new Set(value.filter((g): g is string => typeof g === 'string' && g !== ''))]
    : [];

const attributeValue = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  const written = typeof value === 'string' ? value : JSON.stringify(value);
  return written.length <= MAX_VALUE ? written : null;
};

/**
 * The claims that become `attributes`: all but `skip` (protocol claims, the ones mapped to
 * fields) and those naming role, status or id, which no claim ever sets; bounded in number
 * and size.
 */
export const attributesFromClaims = (
  claims: Record<string, unknown>,
  skip: ReadonlySet<string>,
): Record<string, string> => {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(claims)) {
    if (skip.has(key) || RESERVED.has(key) || !ATTRIBUTE_NAME.test(key)) continue;
    const written = attributeValue(value);
    if (written !== null && Object.keys(attributes).length < MAX_ATTRIBUTES) {
      attributes[key] = written;
    }
  }
  return attributes;
};
