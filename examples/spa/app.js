// @ts-check
/**
 * A single-page app signing in with Gatehouse by OpenID Connect: the authorization code flow
 * with PKCE (RFC 7636, S256) and a nonce, the ID token verified here (id-token.js), userinfo,
 * and RP-initiated logout. No library, no build. The tokens live in this module's memory only:
 * never in storage, never in a URL but the ID token hint logout sends. Only the PKCE verifier,
 * `state` and `nonce` wait in sessionStorage while the browser is away at Gatehouse.
 */
import { showClaims } from './claims-table.js';
import { verifyIdToken } from './id-token.js';

const CONFIG_KEY = 'gatehouse-spa.config';
const FLOW_KEY = 'gatehouse-spa.flow';
const LOGOUT_KEY = 'gatehouse-spa.logout';

/** @typedef {{ gatehouse: string, clientId: string }} Config */
/**
 * @typedef {{
 *   issuer: string,
 *   authorization_endpoint: string,
 *   token_endpoint: string,
 *   userinfo_endpoint: string,
 *   end_session_endpoint: string,
 *   jwks_uri: string,
 * }} Discovery
 */

/** @type {{ accessToken: string, idToken: string } | null} */
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

/** @type {Discovery | null} */
let discovered = null;

/** @param {string} url */
const getJson = async (url, /** @type {RequestInit} */ init = {}) => {
  let response;
  try {
    response = await fetch(url, { credentials: 'omit', ...init });
  } catch {
    // Error answers carry no CORS header, so the browser shows them to us as network errors.
    throw new Error(`${new URL(url).pathname}: Gatehouse refused, or could not be reached.`);
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error_description ?? `${url}: ${response.status}`);
  return body;
};

/**
 * Gatehouse's endpoints and keys from its discovery document, whose issuer must be the
 * configured URL exactly (OIDC Discovery §4.3: no one else's document stands in for it).
 * @param {Config} config @returns {Promise<Discovery>}
 */
const discover = async (config) => {
  if (discovered) return discovered;
  const metadata = await getJson(`${config.gatehouse}/.well-known/openid-configuration`);
  if (metadata.issuer !== config.gatehouse) {
    throw new Error(`Discovery names ${metadata.issuer} as the issuer, not ${config.gatehouse}.`);
  }
  discovered = metadata;
  return metadata;
};

/** @param {Config} config */
const startSignIn = async (config) => {
  const { authorization_endpoint } = await discover(config);
  const verifier = randomToken();
  const state = randomToken();
  const nonce = randomToken();
  sessionStorage.setItem(FLOW_KEY, JSON.stringify({ verifier, state, nonce }));
  const authorize = new URL(authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid profile email',
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  }).toString();
  window.location.assign(authorize);
};

/**
 * Back from Gatehouse with `?code&state` (or `?error&state`): the code and the flow are used
 * once, and leave the address bar and history before anything else happens. Nobody is signed
 * in until the ID token passed every check.
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
  const gatehouse = await discover(config);
  const answered = await getJson(gatehouse.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: answer.get('code') ?? '',
      client_id: config.clientId,
      redirect_uri: redirectUri(),
      code_verifier: flow.verifier,
    }),
  });
  if (typeof answered.id_token !== 'string') throw new Error('Gatehouse sent no ID token.');
  const claims = await verifyIdToken(answered.id_token, {
    jwks: await getJson(gatehouse.jwks_uri),
    issuer: config.gatehouse,
    clientId: config.clientId,
    nonce: flow.nonce,
    accessToken: answered.access_token,
  });
  const userinfo = await getJson(gatehouse.userinfo_endpoint, {
    headers: { authorization: `Bearer ${answered.access_token}` },
  });
  // OIDC Core §5.3.2: userinfo about someone else is not used.
  if (userinfo.sub !== claims.sub) throw new Error('Userinfo answered about another user.');
  tokens = { accessToken: answered.access_token, idToken: answered.id_token };
  element('status').textContent = `Signed in as ${claims.name ?? claims.email ?? claims.sub}`;
  showClaims(element('claims'), claims);
  showClaims(element('userinfo'), userinfo);
  element('signed-in').hidden = false;
  element('sign-in').hidden = true;
};

/**
 * RP-initiated logout: to Gatehouse's end_session_endpoint with the ID token as the hint (the
 * one token the protocol puts in a URL), back to this page with a `state` checked on return.
 * @param {Config} config
 */
const signOut = async (config) => {
  if (!tokens) throw new Error('Nobody is signed in.');
  const { end_session_endpoint } = await discover(config);
  const state = randomToken();
  sessionStorage.setItem(LOGOUT_KEY, state);
  const logout = new URL(end_session_endpoint);
  logout.search = new URLSearchParams({
    id_token_hint: tokens.idToken,
    post_logout_redirect_uri: redirectUri(),
    state,
  }).toString();
  tokens = null;
  window.location.assign(logout);
};

/** Back from Gatehouse's logout with `?state`: only the sign-out this tab asked for. */
const finishSignOut = (/** @type {URLSearchParams} */ answer) => {
  const state = sessionStorage.getItem(LOGOUT_KEY);
  sessionStorage.removeItem(LOGOUT_KEY);
  history.replaceState(null, '', window.location.pathname);
  if (!state || answer.get('state') !== state) {
    throw new Error('This sign-out answer was not asked for here (its state does not match).');
  }
  element('status').textContent = 'Signed out, here and at Gatehouse.';
};

/** @param {string} id @param {(config: Config) => Promise<void>} action @param {Config} config */
const onClick = (id, action, config) => {
  const button = /** @type {HTMLButtonElement} */ (element(id));
  button.addEventListener('click', () => {
    button.disabled = true;
    action(config).catch((error) => {
      button.disabled = false;
      showError(error.message);
    });
  });
  button.disabled = false;
};

const start = async () => {
  const config = await loadConfig();
  onClick('sign-in', startSignIn, config);
  onClick('sign-out', signOut, config);
  const answer = new URLSearchParams(window.location.search);
  element('status').textContent = 'Not signed in.';
  if (answer.has('code') || answer.has('error')) await finishSignIn(config, answer);
  else if (answer.has('state')) finishSignOut(answer);
};

start().catch((error) => showError(error instanceof Error ? error.message : String(error)));
