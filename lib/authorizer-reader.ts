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
import { authorizerItemAccess } from '../src/store/item-access';
import { grantItemAccess } from './functions';

/** Who may assume the reader role: the Gatehouse operator names them, nobody else. */
export interface AuthorizerTrust {
  /** The AWS account ids whose authorizers read Gatehouse's tables (12 digits each). */
  accounts: readonly string[];
  /**
   * The roles in those accounts that may assume it (their authorizer functions' roles): exact
   * role ARNs, or a literal path and name prefix of at least 4 characters then one final `*`
   * (`arn:aws:iam::222222222222:role/TeamApi-*`). Each account needs one, or the external id.
   */
  principalArns?: readonly string[];
  /** An `sts:ExternalId` every AssumeRole must carry (the consumer's readerExternalId). */
  externalId?: string;
}

const accountId = /^\d{12}$/;
/** A role ARN's account, path, name and final `*` (the only wildcard a trusted role may have). */
const roleArn = /^arn:aws[\w-]*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]*)(\*?)$/;
const minNamePrefix = 4;

/** Why this role ARN is refused, or undefined: in a named account, exact or a long literal prefix. */
const roleArnFault = (arn: string, accounts: readonly string[]): string | undefined => {
  const match = roleArn.exec(arn);
  if (!match) {
    return 'name an exact role ARN, or a path and name prefix then one final * (no other wildcard)';
  }
  const [, account = '', , name = '', star] = match;
  if (!accounts.includes(account))
    return `name a role in authorizerAccounts (${accounts.join(', ')})`;
  if (star ? name.length < minNamePrefix : name.length === 0) {
    return `a * must follow a literal role name prefix of at least ${minNamePrefix} characters (role/TeamApi-*)`;
  }
  return undefined;
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
 * (authorizerItemAccess, through the same grantItemAccess) and the key actions
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
    for (const arn of trust.principalArns ?? []) {
      const fault = roleArnFault(arn, trust.accounts);
      if (fault) throw new Error(`authorizerPrincipalArns: ${arn}: ${fault}.`);
    }
    // Invariant: never a whole account's root: each account is narrowed to roles or an external id.
    const bare = trust.externalId
      ? []
      : trust.accounts.filter((a) => !trust.principalArns?.some((arn) => arn.includes(`::${a}:`)));
    if (bare.length > 0) {
      throw new Error(
        `authorizerAccounts ${bare.join(', ')}: name the authorizer roles allowed ` +
          '(authorizerPrincipalArns) or an authorizerExternalId: a bare account lets every principal it allows in.',
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
      authorizerItemAccess,
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
