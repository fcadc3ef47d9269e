/** Browsers on these hosts are a secure context over plain http too (their own machine). */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

const refuse = (origin: string, why: string): never => {
  throw new Error(`Invalid settings: CORS_ALLOWED_ORIGINS: "${origin}" ${why}`);
};

/**
 * CORS_ALLOWED_ORIGINS (comma-separated) as exact origins, or a throw naming the bad one: read
 * at start by the service and at synth by the CDK app, so a typo never deploys.
 * Invariant: only exact https origins (http for localhost or 127.0.0.1), never `*` nor a path.
 */
export const corsOriginsFromSetting = (value: string | undefined): string[] => {
  const listed = (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of listed) {
    if (origin.includes('*')) refuse(origin, 'is a wildcard: list each origin');
    if (!URL.canParse(origin)) refuse(origin, 'is not an origin (scheme://host[:port])');
    const url = new URL(origin);
    if (url.origin !== origin) refuse(origin, `is not an origin: did you mean "${url.origin}"?`);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)))
      refuse(origin, 'must be https (http only for localhost or 127.0.0.1)');
  }
  return [...new Set(listed)];
};
