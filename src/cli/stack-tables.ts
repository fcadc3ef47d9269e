import {
  type CloudFormationClient,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import type { TableNames } from '../store/dynamo-settings';
import { type TableName, tables } from '../store/schema';
import { CliError, EXIT } from './exit-codes';

/**
 * CDK names a table's logical id after its construct path: the GatehouseTables construct
 * ('Tables') and the table's schema id ('Users'), then an 8-character hash (lib/tables.ts).
 */
const logicalIdPattern = (table: TableName) => new RegExp(`Tables${tables[table].id}[0-9A-F]{8}$`);

const isMissingStack = (error: unknown) =>
  error instanceof Error &&
  error.name === 'ValidationError' &&
  /does not exist/i.test(error.message);

/** The physical names of a deployed stack's Users, Tokens and Audit tables. */
export const tablesOfStack = async (
  client: CloudFormationClient,
  stackName: string,
): Promise<TableNames> => {
  const found: StackResourceSummary[] = [];
  try {
    for await (const page of paginateListStackResources({ client }, { StackName: stackName })) {
      for (const resource of page.StackResourceSummaries ?? []) {
        if (resource.ResourceType === 'AWS::DynamoDB::Table' && resource.PhysicalResourceId) {
          found.push(resource);
        }
      }
    }
  } catch (error) {
    if (isMissingStack(error)) {
      throw new CliError(`No stack named ${stackName} in this account and region.`, EXIT.notFound);
    }
    throw error;
  }
  const nameOf = (table: TableName): string => {
    const pattern = logicalIdPattern(table);
    const matches = found.filter((r) => pattern.test(r.LogicalResourceId ?? ''));
    const [only] = matches;
    if (matches.length === 1 && only?.PhysicalResourceId) return only.PhysicalResourceId;
    const flag = `--${table}-table`;
    throw new CliError(
      matches.length === 0
        ? `Stack ${stackName} has no ${tables[table].id} table of Gatehouse; name it with ${flag}.`
        : `Stack ${stackName} has ${matches.length} ${tables[table].id} tables; choose one with ${flag}.`,
      EXIT.notFound,
    );
  };
  return { users: nameOf('users'), tokens: nameOf('tokens'), audit: nameOf('audit') };
};
