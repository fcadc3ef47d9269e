import type { BuiltFunction } from './assembly';

/** What the intrinsics of the template stand for locally: `Ref` ids and `GetAtt` `id.attr`s. */
export type LocalValues = Record<string, string>;

const pseudo: LocalValues = {
  'AWS::Region': 'local',
  'AWS::AccountId': '000000000000',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * A template value with its intrinsics resolved to local things. An intrinsic or a reference
 * with no local meaning throws: the test then says what the template started to need.
 */
export const resolveValue = (value: unknown, locals: LocalValues): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const known = (key: string) => {
    const found = locals[key] ?? pseudo[key];
    if (found === undefined) throw new Error(`No local value for ${key}`);
    return found;
  };
  const intrinsic = value as Record<string, unknown>;
  if (typeof intrinsic.Ref === 'string') return known(intrinsic.Ref);
  if (Array.isArray(intrinsic['Fn::GetAtt'])) return known(intrinsic['Fn::GetAtt'].join('.'));
  if (Array.isArray(intrinsic['Fn::Join'])) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveValue(part, locals)).join(separator);
  }
  if (typeof intrinsic['Fn::Sub'] === 'string') {
    return intrinsic['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_, key: string) => known(key));
  }
  throw new Error(`Unresolved intrinsic ${JSON.stringify(value)}`);
};

/** Where the local stand-ins of the AWS services listen. */
export interface LocalEndpoints {
  dynamodb: string;
  secretsManager: string;
  eventBridge: string;
  lambda: string;
  sesv2: string;
}

/** Where Lambda puts the task (lib/bundling.ts's webAssetsDir sits under it). */
const LAMBDA_TASK_ROOT = '/var/task';

/**
 * The environment Lambda would give this function: the template's variables resolved (paths
 * under /var/task moved to the asset's directory), the runtime's own (region, credentials,
 * function name, memory, task root), and the SDK's standard service endpoint variables
 * pointing at the local stand-ins, so the code runs its AWS path, unchanged.
 */
export const lambdaEnvironment = (
  fn: BuiltFunction,
  locals: LocalValues,
  endpoints: LocalEndpoints,
): Record<string, string> => {
  const variables = Object.fromEntries(
    Object.entries(fn.variables).map(([name, value]) => {
      const resolved = resolveValue(value, locals);
      return [
        name,
        resolved.startsWith(LAMBDA_TASK_ROOT)
          ? fn.assetDir + resolved.slice(LAMBDA_TASK_ROOT.length)
          : resolved,
      ];
    }),
  );
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    AWS_REGION: 'local',
    AWS_DEFAULT_REGION: 'local',
    // Lambda gives the role's session credentials; the stand-ins accept any.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs',
    LAMBDA_TASK_ROOT: fn.assetDir,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
    AWS_ENDPOINT_URL_SESV2: endpoints.sesv2,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Errors only: the pool keeps a function's output to explain a failure.
    LOG_LEVEL: 'error',
    ...variables,
  };
};
