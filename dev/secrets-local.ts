import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface SecretsLocal {
  /** The endpoint for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  url: string;
  /** Makes a secret (as CloudFormation would at deploy) and answers its ARN. */
  create(name: string, value: string): string;
  /** The current value of a secret, by name or ARN (what a test reads instead of the console). */
  current(id: string): string | undefined;
  stop(): Promise<void>;
}

interface Version {
  id: string;
  value: string;
  created: number;
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

const getSecretValue: Action = (secret) => {
  const current = secret.versions.at(-1) as Version;
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: current.id,
    SecretString: current.value,
    VersionStages: ['AWSCURRENT'],
    CreatedDate: seconds(current.created),
  };
};

/**
 * As Secrets Manager does: a ClientRequestToken is the version id, so the same token with the
 * same value is a no-op and with another value is refused; only a new token makes a new version.
 */
const putSecretValue: Action = (secret, input) => {
  const value = input.SecretString;
  if (typeof value !== 'string') {
    throw new ServiceError('InvalidParameterException', 'SecretString is required.');
  }
  const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
  const existing = token ? secret.versions.find((version) => version.id === token) : undefined;
  if (existing && existing.value !== value) {
    throw new ServiceError(
      'ResourceExistsException',
      `You can't modify an existing version, you can only create a new version.`,
    );
  }
  if (!existing) secret.versions.push({ id: token ?? randomUUID(), value, created: Date.now() });
  const current = existing ?? (secret.versions.at(-1) as Version);
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: current.id,
    VersionStages: ['AWSCURRENT'],
  };
};

const describeSecret: Action = (secret) => ({
  ARN: secret.arn,
  Name: secret.name,
  VersionIdsToStages: Object.fromEntries(
    secret.versions.map((version, index) => [
      version.id,
      index === secret.versions.length - 1 ? ['AWSCURRENT'] : [],
    ]),
  ),
});

const actions: Record<string, Action> = {
  GetSecretValue: getSecretValue,
  PutSecretValue: putSecretValue,
  DescribeSecret: describeSecret,
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
 * GetSecretValue, PutSecretValue (ClientRequestToken idempotent) and DescribeSecret, on
 * secrets kept in memory. It checks no signature: it listens on 127.0.0.1 only.
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
      const secret = { arn, name, versions: [{ id: randomUUID(), value, created: Date.now() }] };
      secrets.set(arn, secret);
      secrets.set(name, secret);
      return arn;
    },
    current: (id) => secrets.get(id)?.versions.at(-1)?.value,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
};
