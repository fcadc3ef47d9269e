import type { CfnElement } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../src/http/functions';
import { type TableName, tables } from '../src/store/schema';
import type { GatehouseStack } from './gatehouse-stack';

/**
 * Every cdk-nag AwsSolutions finding this stack accepts, each on the one resource it concerns
 * and with why. The IAM5 entries name the exact wildcard (appliesTo), derived from the same
 * function specs that made the grants, so a new wildcard still fails the check.
 */
export const suppressNagFindings = (stack: GatehouseStack): void => {
  const { functions, secrets, api } = stack;

  for (const name of Object.keys(functionSpecs) as FunctionName[]) {
    const spec: FunctionSpec = functionSpecs[name];
    const fn = functions.byName[name];
    NagSuppressions.addResourceSuppressions(fn, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Pinned to nodejs22.x on purpose: the bundle targets node22 and the native bcrypt ' +
          'binary is tested on it. Moving to a newer runtime is a deliberate, tested upgrade.',
      },
    ]);

    const tableNames = Object.keys(spec.tables) as TableName[];
    const indexed = tableNames.filter((table) => tables[table].indexes.length > 0);
    const indexWildcards = indexed.map((table) => {
      const cfnTable = stack.tables.byName[table].node.defaultChild as CfnElement;
      return `Resource::<${stack.getLogicalId(cfnTable)}.Arn>/index/*`;
    });
    const indexList = indexed
      .map((table) => `${tables[table].id}: ${tables[table].indexes.map((i) => i.name).join(', ')}`)
      .join('; ');
    const writes = tableNames.some((table) => spec.tables[table] === 'write');
    const role = fn.role;
    if (!role) throw new Error(`${name} has no role`);
    if (indexWildcards.length > 0) {
      NagSuppressions.addResourceSuppressions(
        role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              "Table.grantRead(Write)Data covers each granted table's own global secondary " +
              `indexes (<table ARN>/index/*), which the store queries (${indexList}). Only the ` +
              "tables in this function's spec are named; no other table is reached.",
            appliesTo: indexWildcards,
          },
        ],
        true,
      );
    }
    if (writes) {
      NagSuppressions.addResourceSuppressions(
        role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              "Table.grantReadWriteData on a table encrypted with the stack's customer-managed " +
              'key: the wildcards only cover the variants of kms:ReEncrypt and ' +
              'kms:GenerateDataKey that DynamoDB uses, on that one key ARN.',
            appliesTo: ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'],
          },
        ],
        true,
      );
    }
  }

  NagSuppressions.addResourceSuppressions(secrets.signingKeys, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'The service rotates its signing keys itself (a new generation signs, older public keys ' +
        'stay in the JWKS until their tokens expire). A Secrets Manager rotation would replace ' +
        'the set without publishing the new public keys and break every token in flight.',
    },
  ]);
  NagSuppressions.addResourceSuppressions(secrets.defaultOwnerPassword, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'A one-time bootstrap password, read only when no active owner exists. The account ' +
        'password then lives (hashed) in the users table and is changed in Gatehouse; rotating ' +
        'this secret would change nothing but mislead the operator.',
    },
  ]);

  for (const [key, route] of api.publicRoutes) {
    NagSuppressions.addResourceSuppressions(route, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          key === '$default'
            ? '$default only answers unknown routes with the contract 404/405 error body.'
            : `${key} is public in the HTTP contract (API.md): its callers hold no token yet or ` +
              'fetch public documents; credentials in the body are checked by the handler.',
      },
    ]);
  }
};
