import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { startSession } from '../../src/core/sessions/sessions';
import type { UserRecord } from '../../src/core/users/users';
import { failedWith, json, useGatehouseCli } from '../support/cli';
import { testDeps } from '../support/core-deps';
import { confirmedTotp } from '../support/mfa-fixtures';

const { gatehouse, store } = useGatehouseCli();

describe('gatehouse users mfa-reset', () => {
  it("clears a user's factors on DynamoDB Local and ends their sessions, as the API's reset does", async () => {
    const created = await gatehouse([
      'users',
      'create',
      '--email',
      'lost.phone@example.com',
      '--password',
      'a long enough passphrase 1',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const deps = testDeps({}, store());
    const user = (await store().getUser(json(created).user.id)) as UserRecord;
    await confirmedTotp(deps, user);
    const session = await startSession(deps, user, null, { origin: 'self' });
    const sid = decodeJwt(session.access_token).sid as string;
    const shown = await gatehouse(['users', 'get', 'lost.phone@example.com', '--json']);
    expect(json(shown).user.mfa).toEqual({ enrolled: true, types: ['totp'] });

    const reset = await gatehouse(['users', 'mfa-reset', 'lost.phone@example.com', '--json']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(json(reset)).toEqual({ reset: user.id });
    expect((await store().getMfaState(user.id)).factors).toEqual([]);
    expect((await store().getSession(sid))?.revokedAt).not.toBeNull();
    const after = (await store().getUser(user.id)) as UserRecord;
    expect(after.credentialVersion ?? 0).toBeGreaterThan(user.credentialVersion ?? 0);
    const human = await gatehouse(['users', 'get', 'lost.phone@example.com']);
    expect(human.stdout).toMatch(/mfa\s+none/);

    expect(await gatehouse(['users', 'mfa-reset', 'nobody@example.com'])).toEqual(
      failedWith(3, 'No user "nobody@example.com".'),
    );
  });
});
