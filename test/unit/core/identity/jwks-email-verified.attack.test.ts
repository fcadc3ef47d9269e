import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { planLink, ssoLogin } from '../../../../src/core/identity/account-linking';
import { createUser } from '../../../../src/core/users/user-management';
import { testDeps } from '../../../support/core-deps';

// Red team A, finding 8, inverted: an SSO_JWKS_URL token's email counts as verified only when
// `email_verified` is boolean true or the string "true"; anything else is unverified, so a
// bare email match never links (409), whatever the spelling.
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const rs256Token = (claims: Record<string, unknown>) =>
  `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64(claims)}.${Buffer.alloc(256).toString('base64url')}`;

const claimsWith = (emailVerified: unknown) => ({
  iss: 'https://idp.example',
  sub: 'attacker-self-registered',
  email: 'victim@corp.example',
  ...(emailVerified === undefined ? {} : { email_verified: emailVerified }),
});

describe('JWKS email_verified: only an explicit yes vouches (finding 8)', () => {
  it.each(['false', 'FALSE', '', 0, 1, null, undefined, 'yes', {}])(
    'email_verified %j does not vouch, and the victim account is not linked',
    async (value) => {
      const deps = testDeps();
      await createUser(
        deps,
        { kind: 'operator', name: 'cli' },
        {
          email: 'victim@corp.example',
          role: 'editor',
          password: 'victim passphrase 1234',
          type: 'human',
        },
        noRequest,
      );
      const claims = claimsWith(value);
      const login = ssoLogin(rs256Token(claims), claims, 'victim@corp.example');
      expect(login.emailTrusted).toBe(false);
      await expect(planLink(deps, login)).rejects.toMatchObject({ code: 'conflict' });
    },
  );

  it.each([true, 'true'])('email_verified %j vouches', (value) => {
    const claims = claimsWith(value);
    expect(ssoLogin(rs256Token(claims), claims, 'victim@corp.example').emailTrusted).toBe(true);
  });
});
