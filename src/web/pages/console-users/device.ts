/**
 * A User-Agent in words ("Chrome on macOS") for the sessions table: the common browsers and
 * systems only, in the order that matters (Edge and Opera also say "Chrome", Chrome also says
 * "Safari", iOS also says "Mac OS X"). Anything else is shown as the first word it gives.
 */
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\bcurl\//, 'curl'],
  [/\bpython-requests\//, 'Python requests'],
  [/\b(?:node-fetch|undici|node)\b/i, 'Node.js'],
];

const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\bWindows NT\b/, 'Windows'],
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

const first = (table: readonly (readonly [RegExp, string])[], text: string) =>
  table.find(([pattern]) => pattern.test(text))?.[1] ?? null;

export const deviceInWords = (userAgent: string | null): string => {
  if (!userAgent) return 'Unknown device';
  const browser = first(BROWSERS, userAgent);
  const system = first(SYSTEMS, userAgent);
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  return userAgent.split(/[\s/]/)[0] || 'Unknown device';
};

/** RFC 8176 methods in words, for "how it signed in". */
const METHODS: Record<string, string> = {
  pwd: 'password',
  otp: 'one-time code',
  hwk: 'passkey',
  swk: 'software key',
  mfa: 'two factors',
  fed: 'identity provider',
  sms: 'text message',
};

export const signInInWords = (amr: readonly string[], clientName: string | null): string => {
  const methods = amr.filter((m) => m !== 'mfa').map((m) => METHODS[m] ?? m);
  const how = methods.length ? methods.join(' + ') : 'not recorded (SSO, a client or an import)';
  return clientName ? `${how}, through ${clientName}` : how;
};
