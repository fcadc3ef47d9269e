import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSecretSettings } from '../../../src/http/composition';

/**
 * Secret settings at cold start: only a function given a `<NAME>_SECRET_ARN` reads Secrets
 * Manager, a value given directly (locally) is never replaced, and a failed read fails the
 * start rather than starting without the setting. Secrets Manager is a local HTTP endpoint
 * speaking its JSON protocol (the SDK's AWS_ENDPOINT_URL_SECRETS_MANAGER).
 */
const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:gatehouse-providers';
const PROVIDERS = JSON.stringify([{ id: 'okta', name: 'Okta' }]);
const asked: { target: string; secretId: string }[] = [];
let failing = false;
let server: Server;
const saved: Record<string, string | undefined> = {};
const awsEnv = (url: string): Record<string, string> => ({
  AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_MAX_ATTEMPTS: '1',
});

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const secretId = (JSON.parse(body) as { SecretId: string }).SecretId;
      asked.push({ target: String(request.headers['x-amz-target']), secretId });
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (failing) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'denied' }));
        return;
      }
      response.end(JSON.stringify({ ARN: secretId, Name: 'providers', SecretString: PROVIDERS }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const [key, value] of Object.entries(awsEnv(url))) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await new Promise((resolve) => server.close(resolve));
});

describe('loadSecretSettings', () => {
  it('puts the secret named by IDENTITY_PROVIDERS_SECRET_ARN in IDENTITY_PROVIDERS', async () => {
    asked.length = 0;
    const env: Record<string, string | undefined> = { IDENTITY_PROVIDERS_SECRET_ARN: ARN };
    await loadSecretSettings(env);
    expect(env.IDENTITY_PROVIDERS).toBe(PROVIDERS);
    expect(asked).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: ARN }]);
  });

  it('reads nothing and sets nothing without a secret ARN', async () => {
    asked.length = 0;
    const env: Record<string, string | undefined> = { SIGN_UP_ENABLED: '1' };
    await loadSecretSettings(env);
    expect(env).toEqual({ SIGN_UP_ENABLED: '1' });
    expect(asked).toEqual([]);
  });

  it('keeps values given directly, whatever ARN is beside them', async () => {
    asked.length = 0;
    const env: Record<string, string | undefined> = {
      IDENTITY_PROVIDERS: '[]',
      IDENTITY_PROVIDERS_SECRET_ARN: ARN,
      SSO_JWT_SECRET: 'a-local-shared-key-of-32-chars!!',
      SSO_JWT_SECRET_SECRET_ARN: ARN,
    };
    await loadSecretSettings(env);
    expect(env.IDENTITY_PROVIDERS).toBe('[]');
    expect(env.SSO_JWT_SECRET).toBe('a-local-shared-key-of-32-chars!!');
    expect(asked).toEqual([]);
  });

  it('fails the cold start when the read fails, leaving the setting unset', async () => {
    failing = true;
    try {
      const env: Record<string, string | undefined> = { IDENTITY_PROVIDERS_SECRET_ARN: ARN };
      await expect(loadSecretSettings(env)).rejects.toThrow(/denied/);
      expect(env.IDENTITY_PROVIDERS).toBeUndefined();
    } finally {
      failing = false;
    }
  });
});
