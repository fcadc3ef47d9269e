/**
 * The Lambda functions, as data: CDK makes one NodejsFunction of each and grants it exactly
 * what is listed here; the route table names them.
 */
import {
  countingAuthorizerItemAccess,
  discoveryItemAccess,
  type ItemGrant,
  keyRotationItemAccess,
} from '../store/item-access';
import type { TableName } from '../store/schema';

export type Access = 'read' | 'write';

export interface FunctionSpec {
  /** Entry file under functions/. */
  entry: string;
  description: string;
  tables: Partial<Record<TableName, Access>>;
  /**
   * Tables reached only item by item: which items (IAM `dynamodb:LeadingKeys`), which attributes
   * (`dynamodb:Attributes`), read or update only, never Put, Delete, Query or Scan. For the
   * functions that must not see or change the rest (src/store/item-access.ts).
   */
  itemAccess?: Partial<Record<TableName, readonly ItemGrant[]>>;
  /** Reads (and on first start creates) the private signing keys. */
  signsTokens?: boolean;
  /** Creates the default owner on a cold start when none exists. */
  bootstrapsOwner?: boolean;
  /** Hashes or verifies passwords: its bundle ships the native bcrypt binary. */
  hashesPasswords?: boolean;
  /** Publishes user lifecycle events (EventBridge on AWS, a log line locally). */
  publishesEvents?: boolean;
  /** Reads the SSO shared key (SSO_JWT_SECRET) from its secret on AWS. */
  readsSsoSecret?: boolean;
  /**
   * Reads IDENTITY_PROVIDERS (the OIDC providers, client secrets included) from its secret on
   * AWS, and is given USERS_IMPORT_PROVIDER, which names one of them.
   */
  readsIdentityProviders?: boolean;
  /** Serves the hosted pages' assets: its bundle carries web/dist. */
  servesWebAssets?: boolean;
  /**
   * Queues account mail: may invoke the mailer function asynchronously (MAILER_FUNCTION_NAME),
   * which alone sends through SES.
   */
  sendsEmail?: boolean;
  /** Authenticates listing cursors: reads the cursor key (CURSOR_KEY_SECRET_ARN) on AWS. */
  signsCursors?: boolean;
  /**
   * Reaches second factors (`MFA#<userId>` items of the users table: TOTP secrets, recovery
   * code digests): sign-in, refresh (`user.mfa`, held-back sessions), MFA routes and pages.
   * A function with the users table but without this flag is denied those items (lib/functions.ts).
   */
  readsMfaItems?: boolean;
  memoryMb: number;
}

export const functionSpecs = {
  signIn: {
    entry: 'sign-in.ts',
    description: 'Password sign-in',
    tables: { users: 'write', tokens: 'write', audit: 'write' },
    signsTokens: true,
    bootstrapsOwner: true,
    hashesPasswords: true,
    readsMfaItems: true,
    memoryMb: 1024,
  },
  token: {
    entry: 'token.ts',
    description: 'Refresh and sign-out',
    tables: { users: 'read', tokens: 'write', audit: 'write' },
    signsTokens: true,
    readsMfaItems: true,
    memoryMb: 512,
  },
  sso: {
    entry: 'sso.ts',
    description: 'JWT SSO and OIDC federation',
    tables: { users: 'write', tokens: 'write', audit: 'write' },
    signsTokens: true,
    publishesEvents: true,
    /** Reads SSO_JWT_SECRET from Secrets Manager on AWS. */
    readsSsoSecret: true,
    /** Federation: discovery, the code exchange (with the client secret), the provider list. */
    readsIdentityProviders: true,
    readsMfaItems: true,
    memoryMb: 512,
  },
  account: {
    entry: 'account.ts',
    description: 'Accounts: /me, sign-up, email verification, password reset',
    tables: { users: 'write', tokens: 'write', audit: 'write' },
    hashesPasswords: true,
    sendsEmail: true,
    signsCursors: true,
    readsMfaItems: true,
    memoryMb: 1024,
  },
  users: {
    entry: 'users.ts',
    description: 'User management and the audit log',
    tables: { users: 'write', tokens: 'write', audit: 'write' },
    hashesPasswords: true,
    publishesEvents: true,
    signsCursors: true,
    /** Pre-linked identities (POST /users), unlinking, and the policy of a provider's users. */
    readsIdentityProviders: true,
    readsMfaItems: true,
    memoryMb: 1024,
  },
  apiTokens: {
    entry: 'api-tokens.ts',
    description: 'API tokens',
    tables: { users: 'read', tokens: 'write', audit: 'write' },
    signsCursors: true,
    memoryMb: 512,
  },
  oauth: {
    entry: 'oauth.ts',
    description: 'OAuth: clients, token endpoint, introspection and revocation',
    tables: { users: 'write', tokens: 'write', audit: 'write' },
    signsTokens: true,
    hashesPasswords: true,
    signsCursors: true,
    readsMfaItems: true,
    memoryMb: 512,
  },
  pages: {
    entry: 'pages.ts',
    description: 'Hosted pages (sign-in, sign-up, recovery, console) and /oauth/authorize',
    tables: { users: 'write', tokens: 'write', audit: 'write' },
    signsTokens: true,
    hashesPasswords: true,
    sendsEmail: true,
    publishesEvents: true,
    /** Ships web/dist (the pages' script and stylesheet) in its bundle. */
    servesWebAssets: true,
    signsCursors: true,
    /** The sign-in page's provider buttons and the console's linked identities. */
    readsIdentityProviders: true,
    readsMfaItems: true,
    memoryMb: 1024,
  },
  discovery: {
    entry: 'discovery.ts',
    description: 'JWKS, OpenID discovery and the OpenAPI document',
    // The published keys item only: it serves them, and needs nothing else of any table.
    tables: {},
    itemAccess: discoveryItemAccess,
    memoryMb: 256,
  },
  authorizer: {
    entry: 'authorizer.ts',
    description: 'Lambda authorizer: verifies access tokens and API tokens',
    // Reads the published keys, sessions' end, API tokens and their owner's role, status and
    // type; it writes an API token's lastUsedAt/lastUsedFrom stamp and ADDs token uses to the
    // activity counters. It can write no key.
    tables: {},
    itemAccess: countingAuthorizerItemAccess,
    memoryMb: 512,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functionSpecs;

/**
 * The mailer: no route, invoked asynchronously by the `sendsEmail` functions with one mail
 * (src/http/mail-queue.ts); the only function allowed `ses:SendEmail`.
 */
export const mailerSpec = {
  entry: 'mailer.ts',
  description: 'Sends one account mail through SES (invoked asynchronously)',
  tables: {},
  memoryMb: 256,
} as const satisfies FunctionSpec;

/**
 * Secrets Manager's rotation function of the signing keys: no route, invoked by Secrets Manager
 * alone (lib/key-rotation.ts). It stages the next keys and publishes them, nothing more.
 */
export const keyRotationSpec = {
  entry: 'rotate-keys.ts',
  description: 'Rotates the signing keys (Secrets Manager rotation: publish, then sign)',
  tables: {},
  itemAccess: keyRotationItemAccess,
  memoryMb: 512,
} as const satisfies FunctionSpec;
