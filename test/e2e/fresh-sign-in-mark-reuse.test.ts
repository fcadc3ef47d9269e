import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { firstPartyApp } from '../support/oauth';

/**
 * Red team C (issue 14), kept as a regression: a `signed_in_after` mark can be minted by anyone
 * (no session needed), so it must vouch only for the password sign-in its own request led to,
 * in that browser session, once. Before the fix a mark minted shortly before a person's sign-in
 * turned every later prompt=login / max_age=0 request (for 10 minutes) into a silent code.
 */
const OWNER = { email: 'owner@marker.test', password: 'marker owner passphrase 1' };
const CB = 'https://rp.marker.test/cb';

const { stack, signIn, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let rp: string;

beforeAll(async () => {
  const owner = await signIn(OWNER.email, OWNER.password);
  rp = (await registerClient(owner, firstPartyApp('RP', CB))).client_id;
});

const browser = () => browserFlow(() => stack().url);

/** A mark minted by anyone, from anywhere, with no session: a prompt=login request. */
const mintMark = async () => {
  const attacker = browser();
  const { authorized } = await attacker.authorize({
    client_id: rp,
    redirect_uri: CB,
    state: 'mint',
    prompt: 'login',
  });
  expect(authorized.status).toBe(303);
  const returnTo = new URL(authorized.location as string, 'http://x').searchParams.get('return_to');
  const mark = new URL(returnTo as string, 'http://x').searchParams.get('signed_in_after');
  expect(mark).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
  return mark as string;
};

describe('a signed_in_after mark vouches only for the sign-in it led to, once', () => {
  const asks: Record<string, string>[] = [{ prompt: 'login' }, { max_age: '0' }];
  for (const ask of asks) {
    it(`a mark minted elsewhere before the person's sign-in does not satisfy ${JSON.stringify(ask)}`, async () => {
      const mark = await mintMark();
      // The person signs in normally (the console), then walks away from the browser.
      const victim = browser();
      await victim.signIn(OWNER.email, OWNER.password);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // Someone at the browser (or the RP's own re-authentication link, edited) asks for a
      // fresh sign-in, carrying the old mark.
      const { authorized } = await victim.authorize({
        client_id: rp,
        redirect_uri: CB,
        state: 'reauth',
        ...ask,
        signed_in_after: mark,
      });
      // Secure: the sign-in form again (303 to /sign-in ... fresh=1). Actual: a code.
      expect(authorized.location ?? '').not.toContain('code=');
      expect(authorized.location ?? '').toMatch(/^\/sign-in\?/);
    });
  }

  it('the marked request replayed after its sign-in asks for the password again', async () => {
    const person = browser();
    const { authorized } = await person.authorize({
      client_id: rp,
      redirect_uri: CB,
      state: 'first',
      prompt: 'login',
    });
    const signInUrl = new URL(authorized.location as string, 'http://x');
    const returnTo = signInUrl.searchParams.get('return_to') as string;
    const page = await person.request('GET', `${signInUrl.pathname}${signInUrl.search}`);
    const done = await person.request('POST', '/sign-in', {
      csrf: person.hidden(page.text, 'csrf'),
      return_to: returnTo,
      login: OWNER.email,
      password: OWNER.password,
    });
    expect(done.status).toBe(303);
    const first = await person.request('GET', done.location as string);
    expect(first.location ?? '').toContain(`${CB}?code=`);
    // The same marked URL again (history, a script at an unattended browser): no code.
    const again = await person.request('GET', done.location as string);
    expect(again.location ?? '').not.toContain('code=');
    expect(again.location ?? '').toMatch(/^\/sign-in\?/);
  });
});
