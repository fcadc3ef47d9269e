import { join } from 'node:path';
import { loadConfig } from '../src/core/shared/config';
import { rotationTiming } from '../src/core/tokens/key-timing';
import {
  rotateSigningKeys,
  type SigningKeySet,
  type WithdrawTarget,
  withdrawSigningKeys,
} from '../src/core/tokens/signing-keys';
import { storeFromEnv } from '../src/http/composition';
import { createFileKeySource } from '../src/store/file-key-source';
import { awsWithdrawOptions, awsWithdrawTarget, kidsToWithdraw } from './withdraw-target';

const describeRotation = (set: SigningKeySet): string => {
  const next = set.keys.filter((key) => key.retiredAt === null);
  const at = next[0]?.activatesAt ?? Date.now();
  return `Generation ${set.generation}: ${next.map((k) => k.kid).join(' and ')} published now, signing from ${new Date(at).toISOString()}; published: ${set.keys.length} keys.\n`;
};

const localWithdrawTarget = (dataDir: string): WithdrawTarget => {
  const store = storeFromEnv(process.env);
  return {
    source: createFileKeySource(join(dataDir, 'signing-keys.json')),
    publishedGeneration: async () => (await store.getPublishedKeys())?.generation ?? 0,
    publish: (generation, keys) => store.publishKeys(generation, keys),
  };
};

/**
 * `npm run keys:rotate [-- --immediately | --withdraw [--kid <kid>]...]`: stages new local
 * signing keys (ES256 and RS256), published now and signing after the publish lead (an hour);
 * the AWS rotation function runs the same rotateSigningKeys. `--immediately` signs with them
 * at once. `--withdraw` (a compromised key) also drops the named keys (default: all) from the
 * set and the JWKS at once; with `--secret-arn <arn> --tokens-table <name> [--region <r>]` it
 * withdraws on AWS with the operator's credentials. Running servers pick them up without a
 * restart.
 */
const main = async () => {
  const argv = process.argv.slice(2);
  const dataDir = process.env.GATEHOUSE_DATA_DIR || '.data';
  if (argv.includes('--withdraw')) {
    const aws = awsWithdrawOptions(argv);
    if (!aws) {
      process.env.DYNAMODB_ENDPOINT ||= `http://127.0.0.1:${process.env.DYNAMODB_LOCAL_PORT || 8000}`;
    }
    const target = aws ? awsWithdrawTarget(aws) : localWithdrawTarget(dataDir);
    const set = await withdrawSigningKeys(target, Date.now(), kidsToWithdraw(argv));
    process.stdout.write(`Withdrawn. ${describeRotation(set)}`);
    return;
  }
  process.env.DYNAMODB_ENDPOINT ||= `http://127.0.0.1:${process.env.DYNAMODB_LOCAL_PORT || 8000}`;
  const config = loadConfig(process.env);
  const store = storeFromEnv(process.env);
  const immediately = argv.includes('--immediately');
  const set = await rotateSigningKeys(
    createFileKeySource(join(dataDir, 'signing-keys.json')),
    (generation, keys) => store.publishKeys(generation, keys),
    Date.now(),
    rotationTiming(config, { immediately }),
  );
  process.stdout.write(describeRotation(set));
};

main().catch((error: unknown) => {
  process.stderr.write(
    `Could not rotate: ${error instanceof Error ? error.message : String(error)}\n(Is \`npm start\` running? The public keys are published to its DynamoDB Local.)\n`,
  );
  process.exit(1);
});
