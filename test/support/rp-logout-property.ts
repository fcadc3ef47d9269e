import fc from 'fast-check';
import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { expect } from 'vitest';
import { planLogout } from '../../src/core/oauth/rp-logout';
import type { Store } from '../../src/core/shared/store';
import { publicJwks } from '../../src/core/tokens/signing-keys';
import { operatorRegisters } from './clients';
import { testDeps } from './core-deps';

/** Near-misses of one another: an open redirect hides in the difference. */
const REGISTRABLE = [
  'https://rp.example.com/bye',
  'https://rp.example.com/bye/',
  'https://rp.example.com/bye?x=1',
  'https://rp.example.com/bye%2F',
  'https://other.example.com/bye',
];
const ASKED = [
  ...REGISTRABLE,
  '',
  'https://RP.example.com/bye',
  'https://rp.example.com/bye#f',
  'http://rp.example.com/bye',
  'https://rp.example.com.evil.example/bye',
  'https://evil.example.com/bye',
  '//evil.example.com/bye',
];

const hint = fc.oneof(
  fc.record({ kind: fc.constant('none' as const) }),
  fc.record({
    // An ID token of ours: to one client (or to several, naming one by azp).
    kind: fc.constant('ours' as const),
    client: fc.nat(2),
    alsoFor: fc.option(fc.nat(2), { nil: undefined }),
    sub: fc.constantFrom('usr_a', 'usr_b'),
    alg: fc.constantFrom('ES256' as const, 'RS256' as const),
    expired: fc.boolean(),
  }),
  fc.record({
    // Not an ID token of ours, however close.
    kind: fc.constantFrom(
      'access-token' as const,
      'foreign-key' as const,
      'other-issuer' as const,
      'several-audiences-no-azp' as const,
      'garbage' as const,
    ),
    client: fc.nat(2),
  }),
);

export const logoutRun = fc.record({
  registered: fc.array(fc.subarray(REGISTRABLE), { minLength: 3, maxLength: 3 }),
  requests: fc.array(
    fc.record({
      hint,
      clientId: fc.oneof(fc.constant(''), fc.constant('gh_unknown'), fc.nat(2)),
      uri: fc.constantFrom(...ASKED),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

type Run = typeof logoutRun extends fc.Arbitrary<infer T> ? T : never;

/**
 * Invariant (no open redirect, no logout on a hint not ours): planLogout only ever redirects to
 * the exact URI asked for, and only when the client it names registered it byte for byte; a
 * hint that is not an ID token of this issuer, or that names another client than client_id,
 * refuses the request; a genuine hint names its own user and client.
 */
export const checkLogoutRun = async (store: Store, run: Run) => {
  const deps = testDeps({}, store);
  await deps.store.publishKeys(deps.keySet.generation, publicJwks(deps.keySet).keys);
  const clients: { id: string; uris: string[] }[] = [];
  for (const [i, uris] of run.registered.entries()) {
    const created = await operatorRegisters(deps, {
      name: `rp ${i}`,
      grant_types: ['authorization_code'],
      confidential: false,
      first_party: true,
      redirect_uris: ['https://rp.example.com/cb'],
      post_logout_redirect_uris: uris,
    });
    clients.push({ id: created.client_id, uris });
  }
  const idOf = (i: number) => (clients[i] as { id: string }).id;
  const keyOf = (alg: 'ES256' | 'RS256') => {
    const key = deps.keySet.keys.find((k) => (k.publicJwk.alg ?? 'ES256') === alg);
    if (!key) throw new Error(`no ${alg} key`);
    return key;
  };
  const now = Math.floor(deps.clock.now() / 1000);
  const sign = async (
    claims: Record<string, unknown>,
    options: { alg?: 'ES256' | 'RS256'; typ?: string; foreign?: boolean } = {},
  ) => {
    const alg = options.alg ?? 'ES256';
    const key = keyOf(alg);
    return new SignJWT({ iss: deps.config.issuerUrl, iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg, typ: options.typ ?? 'JWT', kid: key.kid })
      .sign(
        options.foreign
          ? (await generateKeyPair(alg)).privateKey
          : await importJWK(key.privateJwk as JWK, alg),
      );
  };
  for (const request of run.requests) {
    const h = request.hint;
    let token = '';
    if (h.kind === 'ours') {
      const aud = h.alsoFor === undefined ? idOf(h.client) : [idOf(h.client), idOf(h.alsoFor)];
      token = await sign(
        {
          sub: h.sub,
          aud,
          ...(Array.isArray(aud) ? { azp: idOf(h.client) } : {}),
          ...(h.expired ? { iat: now - 7200, exp: now - 3600 } : {}),
        },
        { alg: h.alg },
      );
    } else if (h.kind === 'access-token') {
      token = await sign({ sub: 'usr_a', aud: idOf(h.client) }, { typ: 'at+jwt' });
    } else if (h.kind === 'foreign-key') {
      token = await sign({ sub: 'usr_a', aud: idOf(h.client) }, { foreign: true });
    } else if (h.kind === 'other-issuer') {
      token = await sign({ sub: 'usr_a', aud: idOf(h.client), iss: 'https://evil.example.com' });
    } else if (h.kind === 'several-audiences-no-azp') {
      token = await sign({ sub: 'usr_a', aud: [idOf(h.client), idOf((h.client + 1) % 3)] });
    } else if (h.kind === 'garbage') {
      token = 'e30.e30.';
    }
    const asked = typeof request.clientId === 'number' ? idOf(request.clientId) : request.clientId;
    const plan = await planLogout(deps, {
      idTokenHint: token,
      clientId: asked,
      postLogoutRedirectUri: request.uri,
      state: 's',
    });
    const hintClient = h.kind === 'ours' ? idOf(h.client) : null;
    const refused =
      (h.kind !== 'none' && h.kind !== 'ours') ||
      (hintClient !== null && asked !== '' && asked !== hintClient);
    expect(plan.kind).toBe(refused ? 'refused' : 'logout');
    if (plan.kind !== 'logout') continue;
    const named = hintClient ?? (clients.some((c) => c.id === asked) ? asked : null);
    expect(plan.clientId).toBe(named);
    expect(plan.hintSub).toBe(h.kind === 'ours' ? h.sub : null);
    const registered = clients.find((c) => c.id === named)?.uris ?? [];
    expect(plan.redirectTo).toBe(registered.includes(request.uri) ? request.uri : null);
  }
};
