import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ensureDefaultOwner } from '../../src/core/users/default-owner';
import { buildDeps } from '../../src/http/composition';
import { useDynamoDbLocal } from '../support/dynamodb';

const dynamo = useDynamoDbLocal();

it('two cold starts at once make exactly one owner in DynamoDB', async () => {
  const store = await dynamo.freshStore();
  const env = { SIGNING_KEYS_FILE: join(mkdtempSync(join(tmpdir(), 'gh-')), 'keys.json') };
  const starts = Array.from({ length: 4 }, () => buildDeps(env, store));
  const results = await Promise.all(
    starts.map((deps) => ensureDefaultOwner(deps, async () => undefined)),
  );
  expect(results.filter((r) => r.created)).toHaveLength(1);
  expect(await store.findUserByEmail('owner@example.com')).toMatchObject({ role: 'owner' });
});

it('cold starts racing for the first signing keys all sign with the same keys and publish them', async () => {
  const store = await dynamo.freshStore();
  const env = { SIGNING_KEYS_FILE: join(mkdtempSync(join(tmpdir(), 'gh-')), 'keys.json') };
  const starts = Array.from({ length: 4 }, () => buildDeps(env, store));
  const signers = await Promise.all(starts.map((deps) => deps.signer('ES256')));
  const rsaSigners = await Promise.all(starts.map((deps) => deps.signer('RS256')));
  expect(new Set(signers.map((s) => s.kid)).size).toBe(1);
  expect(new Set(rsaSigners.map((s) => s.kid)).size).toBe(1);
  expect((await store.getPublishedKeys())?.keys.map((k) => k.kid)).toEqual([
    signers[0]?.kid,
    rsaSigners[0]?.kid,
  ]);
});
