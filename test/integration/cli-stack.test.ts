import {
  CloudFormationClient,
  type ListStackResourcesCommandInput,
  type ListStackResourcesCommandOutput,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/cli/connection';
import { tablesOfStack } from '../../src/cli/stack-tables';

const table = (logicalId: string, physicalId = `Gatehouse-${logicalId}-1A2B3C`) =>
  ({
    LogicalResourceId: logicalId,
    PhysicalResourceId: physicalId,
    ResourceType: 'AWS::DynamoDB::Table',
    ResourceStatus: 'CREATE_COMPLETE',
    LastUpdatedTimestamp: new Date(),
  }) satisfies StackResourceSummary;

/**
 * A real CloudFormation client whose requests never leave the process: a middleware answers
 * ListStackResources from `pages` (one per NextToken), as the service would.
 */
const fakeCloudFormation = (
  answer: (input: ListStackResourcesCommandInput) => Partial<ListStackResourcesCommandOutput>,
) => {
  const client = new CloudFormationClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    () => async (args) => ({
      output: { $metadata: {}, ...answer(args.input as ListStackResourcesCommandInput) },
      response: {},
    }),
    { step: 'initialize' },
  );
  return client;
};

describe("a deployed stack's tables", () => {
  it('finds the Users, Tokens and Audit tables by their CDK logical ids, across pages', async () => {
    const stacks: string[] = [];
    const client = fakeCloudFormation((input) => {
      stacks.push(input.StackName ?? '');
      return input.NextToken
        ? {
            StackResourceSummaries: [
              table('TablesAuditCEFF9E0F', 'Prod-Audit'),
              { ...table('FunctionsSignIn12345678'), ResourceType: 'AWS::Lambda::Function' },
            ],
          }
        : {
            StackResourceSummaries: [
              table('TablesUsersBA34CAA2', 'Prod-Users'),
              table('TablesTokens107FFD66', 'Prod-Tokens'),
              table('TablesKeyABCDEF12'),
            ],
            NextToken: 'page-2',
          };
    });
    expect(await tablesOfStack(client, 'Prod')).toEqual({
      users: 'Prod-Users',
      tokens: 'Prod-Tokens',
      audit: 'Prod-Audit',
    });
    expect(stacks).toEqual(['Prod', 'Prod']);
  });

  it('says which table it could not find, and that a stack does not exist', async () => {
    const partial = fakeCloudFormation(() => ({
      StackResourceSummaries: [table('TablesUsersBA34CAA2'), table('TablesTokens107FFD66')],
    }));
    await expect(tablesOfStack(partial, 'Prod')).rejects.toMatchObject({
      message: 'Stack Prod has no Audit table of Gatehouse; name it with --audit-table.',
      exitCode: 3,
    });

    const missing = fakeCloudFormation(() => {
      throw Object.assign(new Error('Stack with id Nope does not exist'), {
        name: 'ValidationError',
      });
    });
    await expect(tablesOfStack(missing, 'Nope')).rejects.toMatchObject({
      message: 'No stack named Nope in this account and region.',
      exitCode: 3,
    });
  });

  it('connects locally by default, and refuses AWS without table names', async () => {
    expect(await resolveConnection({}, { DYNAMODB_LOCAL_PORT: '8123' })).toEqual({
      endpoint: 'http://127.0.0.1:8123',
      tables: { users: 'Users', tokens: 'Tokens', audit: 'Audit' },
    });
    expect(
      await resolveConnection(
        { region: 'eu-west-1', usersTable: 'U', tokensTable: 'T', auditTable: 'A' },
        {},
      ),
    ).toEqual({ region: 'eu-west-1', tables: { users: 'U', tokens: 'T', audit: 'A' } });
    await expect(resolveConnection({ region: 'eu-west-1' }, {})).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(
      resolveConnection({ stack: 'Prod', endpoint: 'http://127.0.0.1:8000' }, {}),
    ).rejects.toMatchObject({ exitCode: 2 });
  });
});
