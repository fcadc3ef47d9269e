/**
 * One bench section in a process of its own (bench/run.ts): the handlers and the authorizer
 * keep their dependencies per process, as a Lambda does per cold start, so each local stack
 * needs a fresh process. Writes the section's figures as JSON to the file named.
 */
import { writeFileSync } from 'node:fs';
import { benchAuthorizer } from './authorizer';
import { benchBundles } from './bundles';
import { benchCapacity } from './capacity';
import { benchHotKeys } from './hot-keys';
import type { Section } from './lib/report';
import { benchLoad } from './load';
import { benchSignIn } from './sign-in';
import { benchTokenEndpoint } from './token-endpoint';
import { benchUsersList } from './users-list';

const sections: Record<string, Section> = {
  authorizer: benchAuthorizer,
  'sign-in': benchSignIn,
  'token-endpoint': benchTokenEndpoint,
  bundles: benchBundles,
  'users-list': benchUsersList,
  capacity: benchCapacity,
  'hot-keys': benchHotKeys,
  load: benchLoad,
};

const [name, out] = process.argv.slice(2);
const section = name ? sections[name] : undefined;
if (section && out) {
  section()
    .then((figures) => writeFileSync(out, JSON.stringify(figures)))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
      process.exitCode = 1;
    });
}
