/**
 * The roles finding 6 is about, from one synthesis with no bundling (only the roles matter):
 * Gatehouse's own functions, the example API's authorizer (Gatehouse's tables by import), and a
 * GatehouseAuthorizer in another team's stack on tables imported by ARN.
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { ExampleApiStack } from '../../lib/example-api-stack';
import { GatehouseAuthorizer } from '../../lib/gatehouse-authorizer';
import { GatehouseStack } from '../../lib/gatehouse-stack';
import type { FunctionName } from '../../src/http/functions';
import type { IamStatement } from '../support/dynamo-iam';
import { lambdaProperties, referencedIds, roleStatements } from './synth';

export type TableRef = 'users' | 'tokens' | 'audit';
type Statement = ReturnType<typeof roleStatements>[number];

/** A role's statements, and its DynamoDB ones with the table each names. */
/** GatehouseAuthorizer's fence: no DynamoDB, KMS or STS outside Gatehouse's account (tested on its own). */
export const isAccountFence = (s: Statement) =>
  s.Effect === 'Deny' &&
  s.Resource === '*' &&
  JSON.stringify(s.Condition).includes('aws:ResourceAccount');

export const describeRole = (
  all: Statement[],
  tableOf: (resource: unknown) => TableRef | undefined,
) => {
  // The fence names every table by `*` and grants nothing: the roles compared are the rest.
  const statements = all.filter((s) => !isAccountFence(s));
  return {
    statements,
    dynamo: statements
      .filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')))
      .map((s) => ({
        table: tableOf(s.Resource),
        Effect: s.Effect,
        Action: s.Action,
        Condition: s.Condition as IamStatement['Condition'],
      })),
  };
};
export type DescribedRole = ReturnType<typeof describeRole>;

/** A role's DynamoDB statements on one table, for the evaluator. */
export const statementsOn = (role: DescribedRole, table: TableRef): IamStatement[] =>
  role.dynamo.filter((s) => s.table === table);

const arns = {
  users: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Gatehouse-TablesUsers-1',
  tokens: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Gatehouse-TablesTokens-1',
  key: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};

const roleOf = (stack: Stack, template: Template, fn: IConstruct) =>
  lambdaProperties(template, stack.getLogicalId(fn.node.defaultChild as CfnElement)).Role[
    'Fn::GetAtt'
  ][0];

export const synthNarrowRoles = () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const gatehouse = new GatehouseStack(app, 'Gatehouse');
  const example = new ExampleApiStack(app, 'GatehouseExampleApi', { gatehouse });
  const team = new Stack(app, 'Team', { env: { account: '111122223333', region: 'eu-west-1' } });
  const encryptionKey = Key.fromKeyArn(team, 'GatehouseKey', arns.key);
  const teamAuthorizer = new GatehouseAuthorizer(team, 'Gatehouse', {
    issuerUrl: 'https://gatehouse.example.com',
    usersTable: Table.fromTableAttributes(team, 'Users', { tableArn: arns.users, encryptionKey }),
    tokensTable: Table.fromTableAttributes(team, 'Tokens', {
      tableArn: arns.tokens,
      encryptionKey,
    }),
  });
  teamAuthorizer.addHttpRoutes(new HttpApi(team, 'Http'), {
    path: '/things',
    methods: [HttpMethod.GET],
    integration: new HttpUrlIntegration('Url', 'https://backend.example.com'),
    scopes: ['profile'],
  });
  const assembly = app.synth();
  const templateOf = (stack: Stack) =>
    Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
  const gatehouseTemplate = templateOf(gatehouse);
  const exampleTemplate = templateOf(example);
  const teamTemplate = templateOf(team);

  /** Which Gatehouse table a statement's resource names (by logical id). */
  const gatehouseTableOf = (resource: unknown): TableRef | undefined => {
    const ids = referencedIds(resource);
    for (const name of ['users', 'tokens', 'audit'] as const) {
      const table = gatehouse.tables.byName[name].node.defaultChild as CfnElement;
      if (ids.has(gatehouse.getLogicalId(table))) return name;
    }
    return undefined;
  };

  return {
    /** A role of Gatehouse's own functions. */
    gatehouseRole: (name: FunctionName) =>
      describeRole(
        roleStatements(
          gatehouseTemplate,
          roleOf(gatehouse, gatehouseTemplate, gatehouse.functions.byName[name]),
        ),
        gatehouseTableOf,
      ),
    /** The role of the GatehouseAuthorizer in another team's stack. */
    teamAuthorizerRole: () =>
      describeRole(
        roleStatements(teamTemplate, roleOf(team, teamTemplate, teamAuthorizer.function)),
        (resource) => {
          const named = ([] as unknown[]).concat(resource);
          if (named.includes(arns.users)) return 'users';
          return named.includes(arns.tokens) ? 'tokens' : undefined;
        },
      ),
    /** The example API authorizer's statements (its tables are imports of Gatehouse's). */
    exampleAuthorizerStatements: () =>
      roleStatements(
        exampleTemplate,
        roleOf(example, exampleTemplate, example.authorizer.function),
      ),
  };
};
export type NarrowRoles = ReturnType<typeof synthNarrowRoles>;
