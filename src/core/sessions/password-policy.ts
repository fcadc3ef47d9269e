import { GatehouseError } from '../shared/errors';

export const PASSWORD_MAX_LENGTH = 128;

export interface PasswordPolicy {
  minLength: number;
}

export interface PasswordContext {
  email?: string | null;
  username?: string | null;
}

let commonPasswords: Promise<Set<string>> | undefined;

// Loaded on first use: the list is large and most requests never set a password.
const loadCommonPasswords = (): Promise<Set<string>> => {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) =>
      new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase())),
  );
  return commonPasswords;
};

/** Why a password breaks the policy, or null. Length counts characters, not bytes. */
export const passwordProblem = async (
  password: string,
  policy: PasswordPolicy,
  context: PasswordContext = {},
): Promise<string | null> => {
  const length = [...password.normalize('NFC')].length;
  if (length < policy.minLength) return `must be at least ${policy.minLength} characters long`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters long`;
  const lower = password.toLowerCase();
  if ((await loadCommonPasswords()).has(lower)) return 'is too common; choose another';
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (lower === context.email?.toLowerCase() || lower === context.username?.toLowerCase()) {
    return 'must not be your email or username';
  }
  if (local && local.length >= 4 && lower === local) return 'must not be your email or username';
  return null;
};

export const assertPasswordAllowed = async (
  field: string,
  password: string,
  policy: PasswordPolicy,
  context?: PasswordContext,
): Promise<void> => {
  const problem = await passwordProblem(password, policy, context);
  if (problem) throw new GatehouseError('record_invalid', `${field} ${problem}.`);
};
