import { join } from 'node:path';
import { loadConfig } from '../src/core/shared/config';
import { currentSigners, rotateSigningKeys } from '../src/core/tokens/signing-keys';
import { storeFromEnv } from '../src/http/composition';
import { createFileKeySource } from '../src/store/file-key-source';

/**
 * `npm run keys:rotate`: new local signing keys (ES256 and RS256). Earlier keys stay published for a day past
 * the longest access-token lifetime. Publishes to the running DynamoDB Local; a running
 * server signs with the new key after its next start.
 */
const main = async () => {
  const dataDir = process.env.GATEHOUSE_DATA_DIR || '.data';
  process.env.DYNAMODB_ENDPOINT ||= `http://127.0.0.1:${process.env.DYNAMODB_LOCAL_PORT || 8000}`;
  const config = loadConfig(process.env);
  const store = storeFromEnv(process.env);
  const set = await rotateSigningKeys(
    createFileKeySource(join(dataDir, 'signing-keys.json')),
    (generation, keys) => store.publishKeys(generation, keys),
    Date.now(),
    config.accessTokenTtlSeconds + 86_400,
  );
  const signers = Object.values(currentSigners(set)).map((s) => `${s.alg} ${s.kid}`);
  process.stdout.write(
    `Signing with ${signers.join(' and ')} (generation ${set.generation}); published: ${set.keys.map((k) => k.kid).join(', ')}\n`,
  );
};

main().catch((error: unknown) => {
  process.stderr.write(
    `Could not rotate: ${error instanceof Error ? error.message : String(error)}\n(Is \`npm start\` running? The public keys are published to its DynamoDB Local.)\n`,
  );
  process.exit(1);
});
