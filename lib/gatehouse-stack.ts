import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { GatehouseApi } from './api';
import { type EmailProps, sesSender } from './email';
import { GatehouseFunctions } from './functions';
import { SigningKeyRotation } from './key-rotation';
import { suppressNagFindings } from './nag-suppressions';
import { GatehouseSecrets } from './secrets';
import { GatehouseTables } from './tables';

export interface GatehouseStackProps extends StackProps, EmailProps {
  /** The default owner made on first sign-in when no active owner exists. */
  defaultOwnerEmail?: string;
  defaultOwnerUsername?: string;
  /** Stage-wide limits for every route. Default: 100 requests/s, bursts of 200. */
  throttle?: Required<ThrottleSettings>;
  /** Retention of the function logs and the API access logs. Default: three months. */
  logRetention?: RetentionDays;
  /** Other settings from API.md (e.g. SIGN_UP_ENABLED), given to every function. */
  settings?: Record<string, string>;
  /**
   * How long a function trusts what it read of a session or user before reading it again: the
   * bound on revocation (API.md). 0 to 300; default 10. Sets REVOCATION_CACHE_SECONDS on
   * every function.
   */
  revocationCacheSeconds?: number;
  /**
   * Days an audit event is kept before DynamoDB TTL removes it. 1 to 3650; default 365. Sets
   * AUDIT_RETENTION_DAYS on the functions that write the audit table.
   */
  auditRetentionDays?: number;
  /**
   * OIDC federation: the stack makes the IDENTITY_PROVIDERS secret (starting as `[]`), read at
   * cold start by the functions that serve providers; the operator puts the JSON list in it.
   */
  identityProviders?: boolean;
  /** Days between scheduled rotations of the signing keys (1 to 365); default 30. */
  keyRotationDays?: number;
}

export const defaultThrottle: Required<ThrottleSettings> = { rateLimit: 100, burstLimit: 200 };
export const defaultRevocationCacheSeconds = 10;
export const defaultAuditRetentionDays = 365;
export const defaultLogRetention = RetentionDays.THREE_MONTHS;

/** Settings the stack sets from its own props: refused in `settings`, so there is one source. */
const settingsFromProps = {
  REVOCATION_CACHE_SECONDS: 'revocationCacheSeconds',
  AUDIT_RETENTION_DAYS: 'auditRetentionDays',
  EMAIL_FROM: 'emailFrom',
  SES_CONFIGURATION_SET: 'sesConfigurationSet',
} as const;

/** An integer prop within the range the service accepts (src/core/shared/config.ts), or a throw. */
export const integerProp = (name: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, not ${value}.`);
  }
  return value;
};

export class GatehouseStack extends Stack {
  readonly api: GatehouseApi;
  readonly tables: GatehouseTables;
  readonly secrets: GatehouseSecrets;
  readonly functions: GatehouseFunctions;
  readonly keyRotation: SigningKeyRotation;
  /** The operator's settings, as given to every function (an authorizer elsewhere needs some). */
  readonly settings: Readonly<Record<string, string>>;
  /** REVOCATION_CACHE_SECONDS of every function: the bound on revocation. */
  readonly revocationCacheSeconds: number;

  constructor(scope: Construct, id: string, props: GatehouseStackProps = {}) {
    super(scope, id, props);
    if (props.settings && 'DEFAULT_OWNER_PASSWORD' in props.settings) {
      throw new Error('DEFAULT_OWNER_PASSWORD would sit in plain text: the stack generates it.');
    }
    if (props.settings && 'SSO_JWT_SECRET' in props.settings) {
      throw new Error(
        'SSO_JWT_SECRET would sit in plain text: set SSO_IDP_URL and the stack keeps the key in Secrets Manager.',
      );
    }
    if (props.settings && 'IDENTITY_PROVIDERS' in props.settings) {
      throw new Error(
        'IDENTITY_PROVIDERS would sit in plain text with its client secrets: set identityProviders and put the list in its secret.',
      );
    }
    const { USERS_IMPORT_PROVIDER: usersImportProvider, ...settings } = props.settings ?? {};
    if (usersImportProvider && !props.identityProviders) {
      throw new Error('USERS_IMPORT_PROVIDER names an identity provider: set identityProviders.');
    }
    for (const [setting, prop] of Object.entries(settingsFromProps)) {
      if (props.settings && setting in props.settings) {
        throw new Error(`Set ${setting} with the ${prop} prop (context key), not in settings.`);
      }
    }
    this.settings = settings;
    const revocationCacheSeconds = integerProp(
      'revocationCacheSeconds',
      props.revocationCacheSeconds ?? defaultRevocationCacheSeconds,
      0,
      300,
    );
    const auditRetentionDays = integerProp(
      'auditRetentionDays',
      props.auditRetentionDays ?? defaultAuditRetentionDays,
      1,
      3650,
    );
    this.revocationCacheSeconds = revocationCacheSeconds;
    const sender = sesSender(props);
    const logRetention = props.logRetention ?? defaultLogRetention;

    this.tables = new GatehouseTables(this, 'Tables');
    this.secrets = new GatehouseSecrets(this, 'Secrets', {
      sso: Boolean(props.settings?.SSO_IDP_URL),
      identityProviders: props.identityProviders ?? false,
    });
    this.api = new GatehouseApi(this, 'Api', {
      throttle: props.throttle ?? defaultThrottle,
      logRetention,
    });
    this.functions = new GatehouseFunctions(this, 'Functions', {
      tables: this.tables.byName,
      secrets: this.secrets,
      issuerUrl: this.api.url,
      defaultOwnerEmail: props.defaultOwnerEmail,
      defaultOwnerUsername: props.defaultOwnerUsername,
      settings,
      usersImportProvider,
      sesSender: sender,
      revocationCacheSeconds,
      auditRetentionDays,
      logRetention,
    });
    this.api.addRoutes(this.functions.byName);
    this.keyRotation = new SigningKeyRotation(this, 'KeyRotation', {
      signingKeys: this.secrets.signingKeys,
      tokensTable: this.tables.byName.tokens,
      issuerUrl: this.api.url,
      settings,
      rotationDays: props.keyRotationDays ?? 30,
      logRetention,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the Gatehouse API (the token issuer)',
    });
    new CfnOutput(this, 'SigningKeysSecretArn', {
      value: this.secrets.signingKeys.secretArn,
      description:
        'Signing keys: `aws secretsmanager rotate-secret --secret-id <this>` rotates them now',
    });
    new CfnOutput(this, 'DefaultOwnerPasswordSecretArn', {
      value: this.secrets.defaultOwnerPassword.secretArn,
      description: 'Secret holding the default owner password generated at deploy',
    });

    if (this.secrets.ssoJwtSecret) {
      new CfnOutput(this, 'SsoJwtSecretArn', {
        value: this.secrets.ssoJwtSecret.secretArn,
        description: "Secret holding JWT SSO's shared key: configure the identity provider with it",
      });
    }

    if (this.secrets.identityProviders) {
      new CfnOutput(this, 'IdentityProvidersSecretArn', {
        value: this.secrets.identityProviders.secretArn,
        description: 'Secret holding IDENTITY_PROVIDERS: put the providers JSON array in it',
      });
    }

    suppressNagFindings(this);
  }
}
