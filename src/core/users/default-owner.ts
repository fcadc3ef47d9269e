import { randomBytes } from 'node:crypto';
import { passwordProblem } from '../sessions/password-policy';
import type { CoreDeps } from '../shared/deps';
import { isGatehouseError } from '../shared/errors';
import { newId } from '../shared/ids';
import {
  displayForm,
  emailKey,
  type PublicUser,
  toPublicUser,
  USERNAME_PATTERN,
  type UserRecord,
  usernameKey,
} from './users';

export interface DefaultOwnerResult {
  created: boolean;
  user?: PublicUser;
  /** Set only when this call made up the password: show it once, never log it. */
  generatedPassword?: string;
}

/** The default owner of DEFAULT_OWNER_EMAIL, who acts when authentication is off. */
export const findDefaultOwner = (deps: CoreDeps): Promise<UserRecord | null> =>
  deps.store.findUserByEmail(emailKey(deps.config.defaultOwner.email));

/** 24 random bytes: 32 base64url characters, about 192 bits. */
export const generateStrongPassword = (): string => randomBytes(24).toString('base64url');

/**
 * Creates the default owner when no active owner exists. Safe to run from every cold start
 * at once: the store lets exactly one creation through.
 */
export const ensureDefaultOwner = async (
  deps: CoreDeps,
  /** Read only when an owner has to be made (on AWS it comes from Secrets Manager). */
  configuredPassword: () => Promise<string | undefined>,
): Promise<DefaultOwnerResult> => {
  if ((await deps.store.countActiveOwners()) > 0) return { created: false };
  const { email, username } = deps.config.defaultOwner;
  if (!USERNAME_PATTERN.test(username)) {
    throw new Error('DEFAULT_OWNER_USERNAME may hold only letters, digits, ".", "_" and "-".');
  }
  const given = await configuredPassword();
  const password = given ?? generateStrongPassword();
  if (given !== undefined) {
    const problem = await passwordProblem(
      given,
      { minLength: deps.config.passwordMinLength },
      { email, username },
    );
    if (problem) {
      throw new Error(
        `DEFAULT_OWNER_PASSWORD ${problem}. Unset it to have a strong one generated.`,
      );
    }
  }
  const now = deps.clock.now();
  const owner: UserRecord = {
    id: newId(),
    email: displayForm(email),
    emailKey: emailKey(email),
    username: displayForm(username),
    usernameKey: usernameKey(username),
    name: 'Owner',
    role: 'owner',
    status: 'active',
    type: 'human',
    groups: [],
    attributes: {},
    passwordHash: await deps.hasher.hash(password),
    // The operator's settings name this address: proven, as an owner's would be.
    passwordSetBy: 'operator',
    emailVerified: true,
    emailSetBy: 'operator',
    createdAt: now,
    updatedAt: now,
    lastSignInAt: null,
  };
  try {
    await deps.store.createFirstOwner(owner);
  } catch (error) {
    if (isGatehouseError(error) && error.code === 'conflict') return { created: false };
    throw error;
  }
  return {
    created: true,
    user: toPublicUser(owner),
    ...(given === undefined ? { generatedPassword: password } : {}),
  };
};
