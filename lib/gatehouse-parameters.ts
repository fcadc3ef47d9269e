import { CfnOutput, Fn, Stack, Token } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';

/** Where a Gatehouse stack publishes what an authorizer elsewhere needs: one prefix per stack. */
export const parameterPrefix = (stackName: string): string => `/gatehouse/${stackName}/`;

/** The parameters under the prefix, by what they hold: the publisher and the reader share them. */
export const parameterNames = {
  issuerUrl: 'issuer-url',
  audience: 'audience',
  usersTableName: 'users-table-name',
  usersTableArn: 'users-table-arn',
  tokensTableName: 'tokens-table-name',
  tokensTableArn: 'tokens-table-arn',
  tablesKeyArn: 'tables-key-arn',
  scopeCatalog: 'scope-catalog',
  mfaRequiredRoles: 'mfa-required-roles',
  readerRoleArn: 'reader-role-arn',
} as const;

/**
 * MFA_REQUIRED_ROLES as published: always, so no authorizer elsewhere can miss the policy; ','
 * when none (SSM refuses an empty value; the list's empty items are ignored).
 */
export const publishedMfaRequiredRoles = (setting: string | undefined): string =>
  setting?.trim() ? setting : ',';
export type PublishedValue = keyof typeof parameterNames;

/**
 * Publishes each value as an SSM String parameter under the prefix (read by
 * GatehouseAuthorizer.fromParameters in the same account and region) and as an output (what the
 * operator hands another account). No secret is among them: names, ARNs, URLs, the catalog.
 */
export const publishForAuthorizers = (
  scope: Construct,
  prefix: string,
  values: Partial<Record<PublishedValue, string>>,
): void => {
  for (const [value, text] of Object.entries(values) as [PublishedValue, string | undefined][]) {
    if (text === undefined) continue;
    const id = `Published${value.charAt(0).toUpperCase()}${value.slice(1)}`;
    new StringParameter(scope, id, {
      parameterName: `${prefix}${parameterNames[value]}`,
      stringValue: text,
      description: `Gatehouse, for authorizers elsewhere: ${parameterNames[value]}`,
    });
    new CfnOutput(scope, `${id}Output`, {
      value: text,
      description: `For a GatehouseAuthorizer in another app or account (SSM ${prefix}${parameterNames[value]})`,
    });
  }
};

/** What GatehouseAuthorizer.fromParameters reads, and what its caller says the stack published. */
export interface ParameterReading {
  /** The Gatehouse stack's prefix (`/gatehouse/<stackName>/`). */
  prefix: string;
  /**
   * The account Gatehouse runs in (12 digits): the tables, key and reader role the parameters
   * name must be in it, and the function's grants are limited to it.
   */
  gatehouseAccount: string;
  /** Gatehouse's region (its tables' and key's). Default: this stack's, which must then be known. */
  gatehouseRegion?: string;
  /** Read the tables as the AuthorizerReader role (it must have been made: authorizerAccounts). */
  readerRole?: boolean;
  /** Gatehouse sets SCOPE_CATALOG (so published it): required routes are then checked at deploy. */
  scopeCatalog?: boolean;
}

/**
 * `prefix` + what follows `prefix` in `value`, resolved by CloudFormation: a value without the
 * prefix fails the deploy (Fn::Select of a missing element), so what is used always starts with it.
 * (CloudFormation Rules have no prefix test; this is the check that can refuse a deploy.)
 */
const pinned = (prefix: string, value: string): string =>
  Fn.join('', [prefix, Fn.select(1, Fn.split(prefix, value, 2))]);

/**
 * The props the published parameters give, resolved by CloudFormation at deploy time (same account
 * and region): issuer, audience, tables with their key, MFA_REQUIRED_ROLES, and the reader role
 * when asked for.
 * Invariant: whoever can write the parameters cannot point the authorizer outside
 * gatehouseAccount and gatehouseRegion, nor at an issuer that is not https.
 */
export const propsFromParameters = (scope: Construct, id: string, reading: ParameterReading) => {
  const account = reading.gatehouseAccount;
  const region = reading.gatehouseRegion ?? Stack.of(scope).region;
  if (
    !/^\d{12}$/.test(account) ||
    Token.isUnresolved(region) ||
    !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)
  ) {
    throw new Error(
      `fromParameters: name gatehouseAccount (12 digits, not ${account}) and gatehouseRegion ` +
        `(or give this stack a region), not ${region}: the parameters are checked against them.`,
    );
  }
  const partition = RegionInfo.get(region).partition ?? 'aws';
  const value = (name: PublishedValue) =>
    StringParameter.valueForStringParameter(scope, `${reading.prefix}${parameterNames[name]}`);
  const inGatehouse = (service: string, resource: string, name: PublishedValue) =>
    pinned(`arn:${partition}:${service}:${region}:${account}:${resource}/`, value(name));
  const encryptionKey = Key.fromKeyArn(
    scope,
    `${id}TablesKey`,
    inGatehouse('kms', 'key', 'tablesKeyArn'),
  );
  return {
    gatehouseAccount: account,
    issuerUrl: pinned('https://', value('issuerUrl')),
    audience: value('audience'),
    usersTable: Table.fromTableAttributes(scope, `${id}Users`, {
      tableArn: inGatehouse('dynamodb', 'table', 'usersTableArn'),
      encryptionKey,
    }),
    tokensTable: Table.fromTableAttributes(scope, `${id}Tokens`, {
      tableArn: inGatehouse('dynamodb', 'table', 'tokensTableArn'),
      encryptionKey,
    }),
    ...(reading.scopeCatalog ? { scopeCatalog: value('scopeCatalog') } : {}),
    // Always read: API tokens are judged under Gatehouse's MFA_REQUIRED_ROLES everywhere.
    mfaRequiredRoles: value('mfaRequiredRoles'),
    ...(reading.readerRole
      ? { readerRoleArn: pinned(`arn:${partition}:iam::${account}:role/`, value('readerRoleArn')) }
      : {}),
  };
};
