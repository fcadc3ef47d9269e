import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { planLogout } from '../../../../src/core/oauth/rp-logout';
import { publicJwks } from '../../../../src/core/tokens/signing-keys';
import { operatorRegisters } from '../../../support/clients';
import { testDeps } from '../../../support/core-deps';

const BYE = 'https://rp.example.com/bye';

const setUp = async () => {
  const deps = testDeps();
  await deps.store.publishKeys(deps.keySet.generation, publicJwks(deps.keySet).keys);
  const register = (name: string, uris: string[]) =>
    operatorRegisters(deps, {
      name,
      grant_types: ['authorization_code'],
      confidential: false,
      first_party: true,
      redirect_uris: ['https://rp.example.com/cb'],
      post_logout_redirect_uris: uris,
    });
  const rp = (await register('rp', [BYE])).client_id;
  const other = (await register('other', ['https://other.example.com/bye'])).client_id;
  const [key] = deps.keySet.keys;
  const mint = async (
    claims: Record<string, unknown>,
    options: { typ?: string; foreign?: boolean } = {},
  ) =>
    new SignJWT({ iss: 'https://auth.example.com', sub: 'usr_1', iat: 1, exp: 2, ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: options.typ ?? 'JWT', kid: key?.kid as string })
      .sign(
        options.foreign
          ? (await generateKeyPair('ES256')).privateKey
          : await importJWK(key?.privateJwk as JWK, 'ES256'),
      );
  const plan = (request: Partial<Parameters<typeof planLogout>[1]>) =>
    planLogout(deps, {
      idTokenHint: '',
      clientId: '',
      postLogoutRedirectUri: '',
      state: '',
      ...request,
    });
  return { rp, other, mint, plan };
};

describe('planLogout', () => {
  it('an expired hint of ours names its user and client; only a registered URI is followed', async () => {
    const { rp, mint, plan } = await setUp();
    const hint = await mint({ aud: rp });
    expect(await plan({ idTokenHint: hint, postLogoutRedirectUri: BYE })).toMatchObject({
      kind: 'logout',
      hintSub: 'usr_1',
      clientId: rp,
      redirectTo: BYE,
    });
    for (const uri of [`${BYE}/`, `${BYE}?x=1`, 'https://evil.example.com/bye']) {
      expect(await plan({ idTokenHint: hint, postLogoutRedirectUri: uri })).toMatchObject({
        kind: 'logout',
        redirectTo: null,
      });
    }
  });

  it('refuses a foreign signature, an access token, another issuer and a mismatched client_id', async () => {
    const { rp, other, mint, plan } = await setUp();
    for (const hint of [
      await mint({ aud: rp }, { foreign: true }),
      await mint({ aud: rp }, { typ: 'at+jwt' }),
      await mint({ aud: rp, iss: 'https://evil.example.com' }),
      await mint({ aud: [rp, other] }),
      'not.a.jwt',
    ]) {
      expect(await plan({ idTokenHint: hint })).toMatchObject({ kind: 'refused' });
    }
    expect(await plan({ idTokenHint: await mint({ aud: other }), clientId: rp })).toMatchObject({
      kind: 'refused',
    });
  });

  it('without a hint, client_id alone names the client and its registered URIs', async () => {
    const { rp, plan } = await setUp();
    expect(await plan({ clientId: rp, postLogoutRedirectUri: BYE })).toMatchObject({
      kind: 'logout',
      hintSub: null,
      redirectTo: BYE,
    });
    expect(await plan({ postLogoutRedirectUri: BYE })).toMatchObject({ redirectTo: null });
  });
});
