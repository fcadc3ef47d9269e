// @ts-check
/**
 * A single-page app signing in with Gatehouse: the OAuth 2 authorization code flow with PKCE
 * (RFC 7636, S256), no library, no build. The tokens live in this module's memory only: never
 * in storage, never in a URL. Only the PKCE verifier and `state` wait in sessionStorage while
 * the browser is away at Gatehouse.
 */

const CONFIG_KEY = 'gatehouse-spa.config';
const FLOW_KEY = 'gatehouse-spa.flow';

/** @typedef {{ gatehouse: string, clientId: string }} Config */

/** @type {{ accessToken: string, refreshToken: string | undefined } | null} */
let tokens = null;

const element = (/** @type {string} */ id) => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found;
};

const showError = (/** @type {string} */ message) => {
  const error = element('error');
  error.textContent = message;
  error.hidden = false;
};

/** @param {Uint8Array} bytes */
const base64url = (bytes) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** 32 random bytes: 43 characters, RFC 7636's shortest verifier. */
const randomToken = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** @param {string} verifier */
const challengeOf = async (verifier) =>
  base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );

/** @param {unknown} gatehouse @param {unknown} clientId @returns {Config} */
const checkedConfig = (gatehouse, clientId) => {
  const url = typeof gatehouse === 'string' && URL.canParse(gatehouse) ? new URL(gatehouse) : null;
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw new Error('The Gatehouse URL (config.json "gatehouse" or ?gatehouse=) is not a URL.');
  }
  if (typeof clientId !== 'string' || !/^[\w-]+$/.test(clientId)) {
    throw new Error("No client id yet: put your client's id in config.json (see README.md).");
  }
  return { gatehouse: url.href.replace(/\/+$/, ''), clientId };
};

/**
 * `?gatehouse=…&client_id=…` (remembered for this tab, as the way back from Gatehouse carries
 * only `code` and `state`), else what this tab remembered, else config.json.
 * @returns {Promise<Config>}
 */
const loadConfig = async () => {
  const query = new URLSearchParams(window.location.search);
  if (query.has('gatehouse') || query.has('client_id')) {
    const config = checkedConfig(query.get('gatehouse'), query.get('client_id'));
    sessionStorage.setItem(CONFIG_KEY, JSON.stringify(config));
    history.replaceState(null, '', window.location.pathname);
    return config;
  }
  const remembered = sessionStorage.getItem(CONFIG_KEY);
  if (remembered) {
    const { gatehouse, clientId } = JSON.parse(remembered);
    return checkedConfig(gatehouse, clientId);
  }
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  const { gatehouse, client_id: clientId } = await response.json();
  return checkedConfig(gatehouse, clientId);
};

/** This page, without its query: exactly the redirect URI registered for the client. */
const redirectUri = () => `${window.location.origin}${window.location.pathname}`;

/** @param {Config} config */
const startSignIn = async (config) => {
  const verifier = randomToken();
  const state = randomToken();
  sessionStorage.setItem(FLOW_KEY, JSON.stringify({ verifier, state }));
  const authorize = new URL(`${config.gatehouse}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
    state,
  }).toString();
  window.location.assign(authorize);
};

/**
 * The access token's claims, for display only: decoded, NOT verified. The app has no reason to
 * trust them beyond having just received the token from Gatehouse; the APIs it calls verify the
 * signature against Gatehouse's JWKS, and only their answers count.
 * @param {string} jwt
 */
const unverifiedClaims = (jwt) => {
  const payload = (jwt.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
};

/**
 * Back from Gatehouse with `?code&state` (or `?error&state`): the code and the flow are used
 * once, and leave the address bar and history before anything else happens.
 * @param {Config} config
 * @param {URLSearchParams} answer
 */
const finishSignIn = async (config, answer) => {
  const flow = JSON.parse(sessionStorage.getItem(FLOW_KEY) ?? 'null');
  sessionStorage.removeItem(FLOW_KEY);
  history.replaceState(null, '', window.location.pathname);
  if (!flow || answer.get('state') !== flow.state) {
    throw new Error('This sign-in answer was not asked for here (its state does not match).');
  }
  const refused = answer.get('error');
  if (refused) throw new Error(`Gatehouse refused: ${answer.get('error_description') ?? refused}`);
  let response;
  try {
    response = await fetch(`${config.gatehouse}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: answer.get('code') ?? '',
        client_id: config.clientId,
        redirect_uri: redirectUri(),
        code_verifier: flow.verifier,
      }),
      credentials: 'omit',
    });
  } catch {
    // Error answers carry no CORS header, so the browser shows them to us as network errors.
    throw new Error('Gatehouse refused the code, or could not be reached.');
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error_description ?? `/oauth/token: ${response.status}`);
  tokens = { accessToken: body.access_token, refreshToken: body.refresh_token };
  const claims = unverifiedClaims(tokens.accessToken);
  element('status').textContent = `Signed in as ${claims.email ?? claims.sub}`;
  element('sign-in').hidden = true;
};

const start = async () => {
  const config = await loadConfig();
  const button = /** @type {HTMLButtonElement} */ (element('sign-in'));
  button.addEventListener('click', () => {
    button.disabled = true;
    startSignIn(config).catch((error) => {
      button.disabled = false;
      showError(error.message);
    });
  });
  button.disabled = false;
  const answer = new URLSearchParams(window.location.search);
  element('status').textContent = 'Not signed in.';
  if (answer.has('code') || answer.has('error')) await finishSignIn(config, answer);
};

start().catch((error) => showError(error instanceof Error ? error.message : String(error)));
