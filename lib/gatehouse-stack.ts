import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { GatehouseApi } from './api';
import { GatehouseFunctions } from './functions';
import { suppressNagFindings } from './nag-suppressions';
import { GatehouseSecrets } from './secrets';
import { GatehouseTables } from './tables';

export interface GatehouseStackProps extends StackProps {
  /** The default owner made on first sign-in when no active owner exists. */
  defaultOwnerEmail?: string;
  defaultOwnerUsername?: string;
  /** Stage-wide limits for every route. Default: 100 requests/s, bursts of 200. */
  throttle?: Required<ThrottleSettings>;
  /** Retention of the function logs and the API access logs. Default: three months. */
  logRetention?: RetentionDays;
  /** Other settings from API.md (e.g. SIGN_UP_ENABLED), given to every function. */
  settings?: Record<string, string>;
}

export const defaultThrottle: Required<ThrottleSettings> = { rateLimit: 100, burstLimit: 200 };

export class GatehouseStack extends Stack {
  readonly api: GatehouseApi;
  readonly tables: GatehouseTables;
  readonly secrets: GatehouseSecrets;
  readonly functions: GatehouseFunctions;

  constructor(scope: Construct, id: string, props: GatehouseStackProps = {}) {
    super(scope, id, props);
    if (props.settings && 'DEFAULT_OWNER_PASSWORD' in props.settings) {
      throw new Error('DEFAULT_OWNER_PASSWORD would sit in plain text: the stack generates it.');
    }
    const logRetention = props.logRetention ?? RetentionDays.THREE_MONTHS;

    this.tables = new GatehouseTables(this, 'Tables');
    this.secrets = new GatehouseSecrets(this, 'Secrets');
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
      settings: props.settings,
      logRetention,
    });
    this.api.addRoutes(this.functions.byName);

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the Gatehouse API (the token issuer)',
    });
    new CfnOutput(this, 'DefaultOwnerPasswordSecretArn', {
      value: this.secrets.defaultOwnerPassword.secretArn,
      description: 'Secret holding the default owner password generated at deploy',
    });

    suppressNagFindings(this);
  }
}
