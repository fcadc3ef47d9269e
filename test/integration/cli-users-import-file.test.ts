import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startLocalStack } from '../../dev/local-stack';

it('USERS_IMPORT_FILE: npm start imports the file, and a restart finds it all unchanged', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-import-'));
  const file = join(dataDir, 'users.json');
  writeFileSync(
    file,
    JSON.stringify([
      {
        email: 'ann@example.com',
        name: 'Ann',
        institution: 'CERN',
        sub: 's1',
        refresh_token: 'r-0123456789abcdef',
      },
      { email: 'ANN@example.com', name: 'Ann', institution: 'CERN', sub: 's1' },
    ]),
  );
  const env = { USERS_IMPORT_FILE: file, LOG_LEVEL: 'silent' };
  const failed = [{ row: 1, email: 'ANN@example.com', reason: 'email: duplicates row 0' }];

  const first = await startLocalStack({ dataDir, env });
  await first.stop();
  expect(first.usersImport).toEqual({
    created: 1,
    updated: 0,
    unchanged: 0,
    failed,
    unlinkedSubs: 1,
    refreshTokens: { stored: 1, kept: 0, revoked: 0 },
  });

  // The same data directory: the users are still there.
  const second = await startLocalStack({ dataDir, env });
  await second.stop();
  expect(second.usersImport).toEqual({
    created: 0,
    updated: 0,
    unchanged: 1,
    failed,
    unlinkedSubs: 1,
    refreshTokens: { stored: 0, kept: 1, revoked: 0 },
  });
}, 90_000); // two starts of the whole stack, each with a database of its own
