/**
 * A small IAM evaluator for DynamoDB item requests, enough to replay what a function asks
 * against the statements its role holds: explicit Deny wins, then any Allow, else denied. It
 * knows the condition operators Gatehouse's policies use and throws on any other, so a new
 * operator cannot be silently read as "no condition".
 */

export interface IamStatement {
  Effect: string;
  Action: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The IAM request context of one DynamoDB call. */
export interface DynamoRequest {
  action: string;
  /** Condition keys without the `dynamodb:` prefix: LeadingKeys, Attributes, Select, ReturnValues. */
  context: Partial<Record<string, string[]>>;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );
const matches = (pattern: string, value: string) => glob(pattern).test(value);

const conditionHolds = (operator: string, wanted: string[], values: string[] | undefined) => {
  switch (operator) {
    case 'ForAllValues:StringLike':
      return (values ?? []).every((v) => wanted.some((p) => matches(p, v)));
    case 'ForAllValues:StringEquals':
      return (values ?? []).every((v) => wanted.includes(v));
    case 'ForAnyValue:StringEquals':
      return (values ?? []).some((v) => wanted.includes(v));
    case 'ForAnyValue:StringLike':
      return (values ?? []).some((v) => wanted.some((p) => matches(p, v)));
    case 'StringEqualsIfExists':
      return values === undefined || values.every((v) => wanted.includes(v));
    case 'StringEquals':
      return values?.every((v) => wanted.includes(v)) ?? false;
    case 'Null':
      return wanted.every((w) => (w === 'true') === (values === undefined));
    default:
      throw new Error(`The evaluator does not know the condition operator ${operator}.`);
  }
};

const statementApplies = (statement: IamStatement, request: DynamoRequest): boolean => {
  const actions = ([] as string[]).concat(statement.Action);
  if (!actions.some((action) => matches(action, request.action))) return false;
  for (const [operator, byKey] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(byKey)) {
      const name = key.replace(/^dynamodb:/, '');
      if (!conditionHolds(operator, ([] as string[]).concat(value), request.context[name])) {
        return false;
      }
    }
  }
  return true;
};

/** Whether these statements (all on one table) allow the request. */
export const isAllowed = (statements: readonly IamStatement[], request: DynamoRequest): boolean => {
  const applying = statements.filter((statement) => statementApplies(statement, request));
  if (applying.some((statement) => statement.Effect === 'Deny')) return false;
  return applying.some((statement) => statement.Effect === 'Allow');
};

type AttributeValue = Record<string, unknown>;
interface DynamoBody {
  Key?: Record<string, AttributeValue>;
  ProjectionExpression?: string;
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ReturnValues?: string;
  AttributesToGet?: string[];
  Select?: string;
  KeyConditionExpression?: string;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

const notAttributes = new Set([
  'SET',
  'REMOVE',
  'ADD',
  'DELETE',
  'AND',
  'OR',
  'NOT',
  'BETWEEN',
  'IN',
  'attribute_exists',
  'attribute_not_exists',
  'attribute_type',
  'begins_with',
  'contains',
  'size',
  'if_not_exists',
  'list_append',
]);

/** The top-level attribute names an expression touches (`#x` resolved; `:values` ignored). */
const namesIn = (expression: string | undefined, names: Record<string, string> = {}): string[] =>
  [...(expression ?? '').matchAll(/(?<![:\w#])(#?[A-Za-z_][\w]*)/g)]
    .map((match) => match[1] ?? '')
    .filter((word) => !notAttributes.has(word))
    .map((word) => (word.startsWith('#') ? (names[word] ?? word) : word));

/**
 * The IAM context of a recorded DynamoDB JSON request, erring on the strict side: a read with no
 * projection asks for every attribute (Select ALL_ATTRIBUTES), key attributes always count.
 */
export const requestContext = (operation: string, raw: object): DynamoRequest => {
  const body = raw as DynamoBody;
  const context: DynamoRequest['context'] = {};
  const key = body.Key ?? {};
  const names = body.ExpressionAttributeNames;
  // A Query names its partition in the key condition: `pk = :value`.
  const queried = /(?:^|\s)#?pk\s*=\s*(:\w+)/.exec(body.KeyConditionExpression ?? '')?.[1];
  const pk = operation === 'Query' ? body.ExpressionAttributeValues?.[queried ?? '']?.S : key.pk?.S;
  if (typeof pk === 'string') context.LeadingKeys = [pk];
  const attributes = new Set(Object.keys(key));
  for (const name of namesIn(body.KeyConditionExpression, names)) attributes.add(name);
  if (operation === 'GetItem' || operation === 'Query') {
    if (body.ProjectionExpression || body.AttributesToGet) {
      for (const name of namesIn(body.ProjectionExpression, names)) attributes.add(name);
      for (const name of body.AttributesToGet ?? []) attributes.add(name);
      context.Select = ['SPECIFIC_ATTRIBUTES'];
    } else context.Select = ['ALL_ATTRIBUTES'];
  }
  if (operation === 'UpdateItem') {
    context.ReturnValues = [body.ReturnValues ?? 'NONE'];
  }
  for (const name of namesIn(body.UpdateExpression, names)) attributes.add(name);
  for (const name of namesIn(body.ConditionExpression, names)) attributes.add(name);
  if (attributes.size > 0) context.Attributes = [...attributes];
  return { action: `dynamodb:${operation}`, context };
};
