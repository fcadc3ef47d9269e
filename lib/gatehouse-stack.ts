import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Architecture } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { corsOriginsFromSetting } from '../src/core/shared/cors-origins';
import type { FunctionName } from '../src/http/functions';
import { GatehouseApi } from './api';
import { defaultArchitecture } from './architecture';
import { AuthorizerReader } from './authorizer-reader';
import { customDomainOf, GatehouseDomain } from './domain';
import { type EmailProps, MailEvents, sesSender } from './email';
import { functionId, GatehouseFunctions } from './functions';
import {
  parameterPrefix,
  publishedMfaRequiredRoles,
  publishForAuthorizers,
} from './gatehouse-parameters';
import { SigningKeyRotation } from './key-rotation';
import { suppressNagFindings } from './nag-suppressions';
import { GatehouseObservability } from './observability';
import { GatehouseSecrets } from './secrets';
import { GatehouseTables } from './tables';
import { topicKey } from './topics';

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
  /** What every function runs on (`-c architecture=`). Default: arm64 (Graviton). */
  architecture?: Architecture;
  /**
   * CORS_ALLOWED_ORIGINS of every function (comma-separated exact origins): browser apps there
   * may call the JSON API and /oauth/token, userinfo, revoke. Refused at synth when bad.
   */
  corsAllowedOrigins?: string;
  /** The API's own name (auth.example.com), with certificateArn: the issuer follows it. */
  domainName?: string;
  /** The ACM certificate for domainName, in the stack's region. */
  certificateArn?: string;
  /** A Route 53 hosted zone (id and name) for domainName: the stack makes its alias record. */
  hostedZoneId?: string;
  hostedZoneName?: string;
  /**
   * Accounts whose GatehouseAuthorizer may read the tables through the AuthorizerReader role
   * (12-digit ids). Unset: no such role.
   */
  authorizerAccounts?: string[];
  /**
   * The roles in those accounts that may assume it: exact ARNs or a name prefix then `*`. Each
   * account needs one unless authorizerExternalId is set (synth refuses a bare account).
   */
  authorizerPrincipalArns?: string[];
  /** An sts:ExternalId the assuming authorizer must send (narrows every account). */
  authorizerExternalId?: string;
  /** Subscribed to the alarm topic (docs/aws.md "Logs, metrics and alarms"). */
  alarmEmail?: string;
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
  CORS_ALLOWED_ORIGINS: 'corsAllowedOrigins',
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
  /** What its functions run on: an authorizer elsewhere (the example API) follows it. */
  readonly architecture: Architecture;
  /** Every token's `iss`: https://<domainName> with a custom domain, else the API's URL. */
  readonly issuerUrl: string;
  /** The custom domain, when there is one. */
  readonly domain: GatehouseDomain | undefined;
  /** The role authorizers in authorizerAccounts assume; made only when some are named. */
  readonly authorizerReader: AuthorizerReader | undefined;
  /** The SSM prefix of what an authorizer elsewhere needs (gatehouse-parameters.ts). */
  readonly parameterPrefix: string;
  readonly observability: GatehouseObservability;
  /** The configuration set the stack made for the mail's bounces (none given, mail on). */
  readonly mailEvents: MailEvents | undefined;

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
    this.architecture = props.architecture ?? defaultArchitecture;
    const notificationKey = topicKey(this, 'TopicKey');
    const given = sesSender(props);
    this.mailEvents =
      given && !given.configurationSet
        ? new MailEvents(this, 'MailEvents', { key: notificationKey })
        : undefined;
    const sender =
      given && this.mailEvents
        ? { ...given, configurationSet: this.mailEvents.configurationSet.configurationSetName }
        : given;
    const logRetention = props.logRetention ?? defaultLogRetention;

    this.tables = new GatehouseTables(this, 'Tables');
    this.secrets = new GatehouseSecrets(this, 'Secrets', {
      sso: Boolean(props.settings?.SSO_IDP_URL),
      identityProviders: props.identityProviders ?? false,
    });
    const corsAllowedOrigins = corsOriginsFromSetting(props.corsAllowedOrigins);
    // What every function is given: the operator's settings and the validated CORS origins.
    const functionSettings = corsAllowedOrigins.length
      ? { ...settings, CORS_ALLOWED_ORIGINS: corsAllowedOrigins.join(',') }
      : settings;
    const customDomain = customDomainOf(this, props);
    this.api = new GatehouseApi(this, 'Api', {
      throttle: props.throttle ?? defaultThrottle,
      logRetention,
      disableExecuteApiEndpoint: customDomain !== undefined,
    });
    this.domain = customDomain
      ? new GatehouseDomain(this, 'Domain', {
          ...customDomain,
          httpApi: this.api.httpApi,
          stage: this.api.stage,
        })
      : undefined;
    this.issuerUrl = this.domain?.url ?? this.api.url;
    this.functions = new GatehouseFunctions(this, 'Functions', {
      tables: this.tables.byName,
      secrets: this.secrets,
      issuerUrl: this.issuerUrl,
      defaultOwnerEmail: props.defaultOwnerEmail,
      defaultOwnerUsername: props.defaultOwnerUsername,
      settings: functionSettings,
      usersImportProvider,
      sesSender: sender,
      revocationCacheSeconds,
      auditRetentionDays,
      logRetention,
      architecture: this.architecture,
    });
    this.api.addRoutes(this.functions.byName);
    const { mailer } = this.functions;
    this.observability = new GatehouseObservability(this, 'Observability', {
      httpApi: this.api.httpApi,
      functions: {
        ...Object.fromEntries(
          Object.entries(this.functions.byName).map(([name, fn]) => [
            functionId(name as FunctionName),
            fn,
          ]),
        ),
        ...(mailer ? { Mailer: mailer } : {}),
      },
      authorizer: this.functions.byName.authorizer,
      topicKey: notificationKey,
      alarmEmail: props.alarmEmail,
    });

    const { users, tokens } = this.tables.byName;
    const trusted = props.authorizerAccounts?.length || props.authorizerPrincipalArns?.length;
    this.authorizerReader =
      trusted || props.authorizerExternalId
        ? new AuthorizerReader(this, 'AuthorizerReader', {
            trust: {
              accounts: props.authorizerAccounts ?? [],
              principalArns: props.authorizerPrincipalArns,
              externalId: props.authorizerExternalId,
            },
            tables: { users, tokens },
          })
        : undefined;
    this.parameterPrefix = parameterPrefix(this.stackName);
    publishForAuthorizers(this, this.parameterPrefix, {
      issuerUrl: this.issuerUrl,
      audience: settings.ACCESS_TOKEN_AUDIENCE ?? this.issuerUrl,
      usersTableName: users.tableName,
      usersTableArn: users.tableArn,
      tokensTableName: tokens.tableName,
      tokensTableArn: tokens.tableArn,
      tablesKeyArn: this.tables.key.keyArn,
      scopeCatalog: settings.SCOPE_CATALOG,
      mfaRequiredRoles: publishedMfaRequiredRoles(settings.MFA_REQUIRED_ROLES),
      readerRoleArn: this.authorizerReader?.role.roleArn,
    });
    this.keyRotation = new SigningKeyRotation(this, 'KeyRotation', {
      signingKeys: this.secrets.signingKeys,
      tokensTable: this.tables.byName.tokens,
      issuerUrl: this.issuerUrl,
      settings: functionSettings,
      rotationDays: props.keyRotationDays ?? 30,
      logRetention,
      architecture: this.architecture,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.issuerUrl,
      description: 'Base URL of the Gatehouse API (the token issuer)',
    });
    if (this.domain) {
      new CfnOutput(this, 'DomainTarget', {
        value: this.domain.domainName.regionalDomainName,
        description: `Point ${customDomain?.domainName} here: a CNAME, or a Route 53 alias in zone DomainTargetHostedZoneId`,
      });
      new CfnOutput(this, 'DomainTargetHostedZoneId', {
        value: this.domain.domainName.regionalHostedZoneId,
        description: "The regional endpoint's hosted zone, for a Route 53 alias record",
      });
    }
    new CfnOutput(this, 'SigningKeysSecretArn', {
      value: this.secrets.signingKeys.secretArn,
      description:
        'Signing keys: `aws secretsmanager rotate-secret --secret-id <this>` rotates them now',
    });
    new CfnOutput(this, 'DefaultOwnerPasswordSecretArn', {
      value: this.secrets.defaultOwnerPassword.secretArn,
      description: 'Secret holding the default owner password generated at deploy',
    });

    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.observability.alarmTopic.topicArn,
      description: 'SNS topic every alarm notifies: subscribe the on-call address or tool',
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.observability.dashboard.dashboardName,
      description: 'CloudWatch dashboard: sign-ins, authorizer decisions, 5xx, latency, throttles',
    });
    if (this.mailEvents) {
      new CfnOutput(this, 'MailEventsTopicArn', {
        value: this.mailEvents.topic.topicArn,
        description: 'SNS topic of SES bounces, complaints and rejects: subscribe to act on them',
      });
    }

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
