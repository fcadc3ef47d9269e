import { type CfnElement, Stack } from 'aws-cdk-lib';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import {
  type FunctionName,
  type FunctionSpec,
  functionSpecs,
  keyRotationSpec,
} from '../src/http/functions';
import { type TableName, tables } from '../src/store/schema';
import { pageRouteKey, pageRoutes } from '../src/web/routes';
import type { ExampleApiStack } from './example-api-stack';
import type { GatehouseStack } from './gatehouse-stack';

/**
 * The findings on a function built by specFunction, all on its role: the wildcards its spec's
 * table grants make, named exactly (appliesTo) from the same spec, so a new wildcard still fails
 * the check. (No AwsSolutions-L1: every function runs the newest Node.js runtime.)
 */
const suppressSpecFunctionFindings = (
  fn: LambdaFunction,
  spec: Pick<FunctionSpec, 'tables' | 'itemAccess'>,
  specTables: Partial<Record<TableName, ITable>>,
): void => {
  const access = spec.tables;
  const role = fn.role;
  if (!role) throw new Error(`${fn.node.path} has no role`);
  const granted = Object.keys(access) as TableName[];
  // Only a table built in this app has its indexes in the grant (`<table ARN>/index/*`).
  const indexed = granted.flatMap((name) => {
    const table = specTables[name];
    return tables[name].indexes.length > 0 && table instanceof Table
      ? [[name, table] as const]
      : [];
  });
  const indexWildcards = indexed.map(([, table]) => {
    const cfnTable = table.node.defaultChild as CfnElement;
    return `Resource::<${Stack.of(cfnTable).getLogicalId(cfnTable)}.Arn>/index/*`;
  });
  const indexList = indexed
    .map(([name]) => `${tables[name].id}: ${tables[name].indexes.map((i) => i.name).join(', ')}`)
    .join('; ');
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
  // An item grant that updates (the authorizer's lastUsedAt) asks the same of the key.
  const updatesItems = Object.values(spec.itemAccess ?? {}).some((grants) =>
    grants.some((grant) => grant.action === 'update'),
  );
  if (updatesItems || granted.some((name) => access[name] === 'write')) {
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Writing a table encrypted with Gatehouse's customer-managed key (grantReadWriteData, " +
            "or an item grant's one UpdateItem: the authorizer's lastUsedAt, the key rotation's " +
            'published keys): the wildcards only cover the ' +
            'variants of kms:ReEncrypt and kms:GenerateDataKey that DynamoDB uses, on that one ' +
            'key ARN.',
          appliesTo: ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'],
        },
      ],
      true,
    );
  }
};

/** Every cdk-nag AwsSolutions finding the Gatehouse stack accepts, with why. */
export const suppressNagFindings = (stack: GatehouseStack): void => {
  const { functions, secrets, api } = stack;

  for (const name of Object.keys(functionSpecs) as FunctionName[]) {
    const spec: FunctionSpec = functionSpecs[name];
    suppressSpecFunctionFindings(functions.byName[name], spec, stack.tables.byName);
  }

  if (functions.mailer) suppressSpecFunctionFindings(functions.mailer, { tables: {} }, {});
  suppressSpecFunctionFindings(stack.keyRotation.function, keyRotationSpec, stack.tables.byName);
  NagSuppressions.addResourceSuppressions(secrets.cursorKey, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'The cursor key only authenticates listing cursors, which live for one paging session. ' +
        'Rotating it would end the cursors in flight and protect nothing more; an operator who ' +
        'wants a new key puts a new value, which the functions read on their next cold start.',
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

  if (secrets.ssoJwtSecret) {
    NagSuppressions.addResourceSuppressions(secrets.ssoJwtSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'A key shared with an outside identity provider: rotating it here without changing ' +
          'the provider at the same moment would refuse every SSO sign-in. Operators rotate it ' +
          'together with the provider (docs/aws.md).',
      },
    ]);
  }

  if (secrets.identityProviders) {
    NagSuppressions.addResourceSuppressions(secrets.identityProviders, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'It holds the OIDC providers list, whose client secrets the providers themselves issue ' +
          '(Google, Entra ID, Okta...): no rotation function can get a new one. Operators rotate ' +
          'a client secret at its provider and put the updated list (docs/aws.md).',
      },
    ]);
  }

  const pageKeys = new Set(pageRoutes.map(pageRouteKey));
  const publicRouteReason = (key: string): string => {
    if (key === '$default') {
      return '$default only answers unknown routes with the contract 404/405 error body.';
    }
    if (key.startsWith('OPTIONS ')) {
      return `${key} answers CORS preflights, which browsers send without credentials.`;
    }
    if (pageKeys.has(key)) {
      return (
        `${key} is a hosted page: a browser authenticates with the HttpOnly session cookie, ` +
        'which the pages function checks itself (with a CSRF token on every form). An API ' +
        'Gateway authorizer would have to take the cookie as its identity source and cache ' +
        'per cookie, outliving sign-out; signed-out pages (sign-in, sign-up) must answer anyway.'
      );
    }
    return (
      `${key} is public in the HTTP contract (API.md): its callers hold no token yet or ` +
      'fetch public documents; credentials in the body are checked by the handler.'
    );
  };
  for (const [key, route] of api.publicRoutes) {
    NagSuppressions.addResourceSuppressions(route, [
      { id: 'AwsSolutions-APIG4', reason: publicRouteReason(key) },
    ]);
  }
};

/**
 * Every finding the example API stack accepts: those of its two functions. Its routes all have
 * the authorizer, and its stage logs, so nothing else is waived.
 */
export const suppressExampleApiNagFindings = (
  stack: ExampleApiStack,
  gatehouse: GatehouseStack,
): void => {
  const { users, tokens } = gatehouse.tables.byName;
  const { authorizer } = functionSpecs;
  suppressSpecFunctionFindings(stack.authorizer.function, authorizer, { users, tokens });
  // The example keeps its data in memory: no table, so only the runtime finding.
  suppressSpecFunctionFindings(stack.handler, { tables: {} }, {});
};
