import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface SecretsLocal {
  /** The endpoint for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  url: string;
  /** Makes a secret (as CloudFormation would at deploy) and answers its ARN. */
  create(name: string, value: string): string;
  /**
   * What RotateSecret does before it invokes the rotation function: a version `token` with the
   * AWSPENDING label and no value yet.
   */
  startRotation(id: string, token: string): void;
  /** The current value of a secret, by name or ARN (what a test reads instead of the console). */
  current(id: string): string | undefined;
  stop(): Promise<void>;
}

interface Version {
  id: string;
  /** None yet: the version RotateSecret makes before the rotation function's createSecret. */
  value: string | undefined;
  created: number;
  /** Staging labels: AWSCURRENT, AWSPENDING, AWSPREVIOUS. */
  stages: Set<string>;
}

interface StoredSecret {
  arn: string;
  name: string;
  versions: Version[];
}

type Action = (secret: StoredSecret, input: Record<string, unknown>) => Record<string, unknown>;

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const seconds = (ms: number) => ms / 1000;

const holding = (secret: StoredSecret, stage: string) =>
  secret.versions.find((version) => version.stages.has(stage));

/**
 * Puts `stage` on `version` alone, as Secrets Manager does; the version AWSCURRENT leaves gets
 * AWSPREVIOUS.
 */
const moveStage = (secret: StoredSecret, stage: string, version: Version) => {
  const from = holding(secret, stage);
  if (from === version) return;
  from?.stages.delete(stage);
  if (stage === 'AWSCURRENT' && from) {
    holding(secret, 'AWSPREVIOUS')?.stages.delete('AWSPREVIOUS');
    from.stages.add('AWSPREVIOUS');
  }
  version.stages.add(stage);
};

const notFound = () =>
  new ServiceError(
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified version.",
  );

/** By VersionId, else by VersionStage, else AWSCURRENT. */
const getSecretValue: Action = (secret, input) => {
  const version =
    typeof input.VersionId === 'string'
      ? secret.versions.find((candidate) => candidate.id === input.VersionId)
      : holding(secret, typeof input.VersionStage === 'string' ? input.VersionStage : 'AWSCURRENT');
  if (!version || version.value === undefined) throw notFound();
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    SecretString: version.value,
    VersionStages: [...version.stages],
    CreatedDate: seconds(version.created),
  };
};

/**
 * As Secrets Manager does: a ClientRequestToken is the version id, so the same token with the
 * same value is a no-op and with another value is refused; only a new token makes a new version,
 * which takes the labels asked (AWSCURRENT by default) from the versions that held them.
 */
const putSecretValue: Action = (secret, input) => {
  const value = input.SecretString;
  if (typeof value !== 'string') {
    throw new ServiceError('InvalidParameterException', 'SecretString is required.');
  }
  const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
  const existing = token ? secret.versions.find((version) => version.id === token) : undefined;
  // RotateSecret's version has no value yet: createSecret's put gives it one.
  if (existing && existing.value === undefined) existing.value = value;
  if (existing && existing.value !== value) {
    throw new ServiceError(
      'ResourceExistsException',
      `You can't modify an existing version, you can only create a new version.`,
    );
  }
  const version = existing ?? {
    id: token ?? randomUUID(),
    value,
    created: Date.now(),
    stages: new Set<string>(),
  };
  if (!existing) {
    secret.versions.push(version);
    const stages = Array.isArray(input.VersionStages) ? input.VersionStages : ['AWSCURRENT'];
    for (const stage of stages) moveStage(secret, String(stage), version);
  }
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    VersionStages: [...version.stages],
  };
};

const describeSecret: Action = (secret) => ({
  ARN: secret.arn,
  Name: secret.name,
  VersionIdsToStages: Object.fromEntries(
    secret.versions
      .filter((version) => version.stages.size > 0)
      .map((version) => [version.id, [...version.stages]]),
  ),
});

/** Moves or removes a label; RemoveFromVersionId must hold it, as the service checks. */
const updateSecretVersionStage: Action = (secret, input) => {
  const stage = String(input.VersionStage ?? '');
  const from = holding(secret, stage);
  if (typeof input.RemoveFromVersionId === 'string' && from?.id !== input.RemoveFromVersionId) {
    throw new ServiceError(
      'InvalidParameterException',
      `The parameter RemoveFromVersionId can't be ${input.RemoveFromVersionId}: ${stage} is on ${from?.id ?? 'no version'}.`,
    );
  }
  if (typeof input.MoveToVersionId === 'string') {
    const to = secret.versions.find((version) => version.id === input.MoveToVersionId);
    if (!to) throw notFound();
    moveStage(secret, stage, to);
  } else {
    from?.stages.delete(stage);
  }
  return { ARN: secret.arn, Name: secret.name };
};

const actions: Record<string, Action> = {
  GetSecretValue: getSecretValue,
  PutSecretValue: putSecretValue,
  DescribeSecret: describeSecret,
  UpdateSecretVersionStage: updateSecretVersionStage,
};

const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
};

const answer = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
};

/**
 * A Secrets Manager endpoint for local runs of the built bundles, speaking the service's JSON 1.1
 * protocol (`X-Amz-Target: secretsmanager.<Action>`) so the real SDK talks to it unchanged:
 * GetSecretValue, PutSecretValue (ClientRequestToken idempotent), DescribeSecret and
 * UpdateSecretVersionStage (the staging labels a rotation moves), on secrets kept in memory. It checks no signature: it listens on 127.0.0.1 only.
 */
export const startSecretsLocal = async (region = 'local'): Promise<SecretsLocal> => {
  const secrets = new Map<string, StoredSecret>();
  const find = (id: unknown): StoredSecret => {
    const secret = typeof id === 'string' ? secrets.get(id) : undefined;
    if (!secret) {
      throw new ServiceError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    return secret;
  };

  const server = createServer((request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = actions[target.replace(/^secretsmanager\./, '')];
    readJson(request)
      .then((input) => {
        if (!action) throw new ServiceError('UnknownOperationException', `Not served: ${target}`);
        answer(response, 200, action(find(input.SecretId), input));
      })
      .catch((error: unknown) => {
        const known = error instanceof ServiceError;
        answer(response, known ? error.status : 500, {
          __type: known ? error.type : 'InternalServiceError',
          message: error instanceof Error ? error.message : String(error),
        });
      });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('secrets-local did not listen');

  return {
    url: `http://127.0.0.1:${address.port}`,
    create(name, value) {
      // Secrets Manager suffixes the name with six random characters in the ARN.
      const arn = `arn:aws:secretsmanager:${region}:000000000000:secret:${name}-${randomUUID().slice(0, 6)}`;
      const first = {
        id: randomUUID(),
        value,
        created: Date.now(),
        stages: new Set(['AWSCURRENT']),
      };
      const secret = { arn, name, versions: [first] };
      secrets.set(arn, secret);
      secrets.set(name, secret);
      return arn;
    },
    startRotation(id, token) {
      const secret = find(id);
      const version = {
        id: token,
        value: undefined,
        created: Date.now(),
        stages: new Set<string>(),
      };
      secret.versions.push(version);
      moveStage(secret, 'AWSPENDING', version);
    },
    current: (id) => {
      const secret = secrets.get(id);
      return secret ? holding(secret, 'AWSCURRENT')?.value : undefined;
    },
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
};
