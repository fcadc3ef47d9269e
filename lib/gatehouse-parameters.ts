import { CfnOutput } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
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
  readerRoleArn: 'reader-role-arn',
} as const;
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
  /** Read the tables as the AuthorizerReader role (it must have been made: authorizerAccounts). */
  readerRole?: boolean;
  /** Gatehouse sets SCOPE_CATALOG (so published it): required routes are then checked at deploy. */
  scopeCatalog?: boolean;
}

/**
 * The props the published parameters give, resolved by CloudFormation at deploy time (same account
 * and region): issuer, audience, tables with their key, and the reader role when asked for.
 */
export const propsFromParameters = (scope: Construct, id: string, reading: ParameterReading) => {
  const value = (name: PublishedValue) =>
    StringParameter.valueForStringParameter(scope, `${reading.prefix}${parameterNames[name]}`);
  const encryptionKey = Key.fromKeyArn(scope, `${id}TablesKey`, value('tablesKeyArn'));
  return {
    issuerUrl: value('issuerUrl'),
    audience: value('audience'),
    usersTable: Table.fromTableAttributes(scope, `${id}Users`, {
      tableArn: value('usersTableArn'),
      encryptionKey,
    }),
    tokensTable: Table.fromTableAttributes(scope, `${id}Tokens`, {
      tableArn: value('tokensTableArn'),
      encryptionKey,
    }),
    ...(reading.scopeCatalog ? { scopeCatalog: value('scopeCatalog') } : {}),
    ...(reading.readerRole ? { readerRoleArn: value('readerRoleArn') } : {}),
  };
};
