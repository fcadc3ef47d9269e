import { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  AccountPrincipal,
  CompositePrincipal,
  type IPrincipal,
  PrincipalWithConditions,
  Role,
} from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { functionSpecs } from '../src/http/functions';
import { grantItemAccess } from './functions';

/** Who may assume the reader role: the Gatehouse operator names them, nobody else. */
export interface AuthorizerTrust {
  /** The AWS account ids whose authorizers read Gatehouse's tables (12 digits each). */
  accounts: readonly string[];
  /**
   * The roles in those accounts that may assume it (their authorizer functions' roles; `*`
   * inside a name allowed, e.g. `arn:aws:iam::222222222222:role/TeamApi-*`). Unset: any
   * principal those accounts' own IAM policies allow.
   */
  principalArns?: readonly string[];
  /** An `sts:ExternalId` every AssumeRole must carry (the consumer's readerExternalId). */
  externalId?: string;
}

const accountId = /^\d{12}$/;
/** A role ARN in one of the trusted accounts; `*` only inside the name, never the account. */
const roleArnIn = (arn: string, accounts: readonly string[]) => {
  const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/[\w+=,.@\-/*]+$/.exec(arn);
  return (
    match !== null &&
    accounts.includes(match[1] ?? '') &&
    !/^[*/]+$/.test(arn.split(':role/')[1] ?? '')
  );
};

/** The trust as IAM: each account, narrowed to the named roles and the external id when given. */
const trustedPrincipal = (trust: AuthorizerTrust): IPrincipal => {
  const conditions: Record<string, Record<string, string | string[]>> = {};
  if (trust.principalArns?.length) {
    conditions.ArnLike = { 'aws:PrincipalArn': [...trust.principalArns] };
  }
  if (trust.externalId) conditions.StringEquals = { 'sts:ExternalId': trust.externalId };
  const principals = trust.accounts.map(
    (account) => new PrincipalWithConditions(new AccountPrincipal(account), conditions),
  );
  return principals.length === 1
    ? (principals[0] as IPrincipal)
    : new CompositePrincipal(...principals);
};

/**
 * AuthorizerReader: the role a GatehouseAuthorizer in another account (or app) assumes to read
 * Gatehouse's tables. It holds exactly the authorizer function's item grants
 * (functionSpecs.authorizer.itemAccess, through the same grantItemAccess) and the key actions
 * they need; its trust names the operator's accounts and, when given, roles and external id.
 */
export class AuthorizerReader extends Construct {
  readonly role: Role;

  constructor(
    scope: Construct,
    id: string,
    props: { trust: AuthorizerTrust; tables: { users: ITable; tokens: ITable } },
  ) {
    super(scope, id);
    const { trust } = props;
    // Invariant: never `*`, never an account the operator did not name (no confused deputy).
    if (trust.accounts.length === 0 || !trust.accounts.every((a) => accountId.test(a))) {
      throw new Error(
        `authorizerAccounts must be 12-digit account ids, not ${trust.accounts.join(',') || 'none'}.`,
      );
    }
    if (trust.accounts.length === 0 && (trust.principalArns?.length || trust.externalId)) {
      throw new Error(
        'authorizerPrincipalArns and authorizerExternalId narrow authorizerAccounts: name the accounts.',
      );
    }
    const stranger = trust.principalArns?.find((arn) => !roleArnIn(arn, trust.accounts));
    if (stranger !== undefined) {
      throw new Error(
        `${stranger}: name a role ARN in one of authorizerAccounts (${trust.accounts.join(', ')}).`,
      );
    }
    if (trust.externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(trust.externalId)) {
      throw new Error('authorizerExternalId must be 2 to 1224 of the characters STS accepts.');
    }

    this.role = new Role(this, 'Role', {
      assumedBy: trustedPrincipal(trust),
      description: `Gatehouse ${Stack.of(this).stackName}: what a GatehouseAuthorizer in ${trust.accounts.join(', ')} may read`,
    });
    // Invariant: item by item, the authorizer's reads and its lastUsedAt stamp, nothing more.
    grantItemAccess(
      this.role,
      functionSpecs.authorizer.itemAccess,
      (name) => props.tables[name as 'users' | 'tokens'],
    );

    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "The authorizer's one UpdateItem (an API token's lastUsedAt) writes a table encrypted " +
            "with Gatehouse's customer-managed key: the wildcards only cover the variants of " +
            'kms:ReEncrypt and kms:GenerateDataKey that DynamoDB uses, on that one key ARN.',
          appliesTo: ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'],
        },
      ],
      true,
    );
  }
}
