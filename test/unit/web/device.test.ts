import { describe, expect, it } from 'vitest';
import { deviceInWords, signInInWords } from '../../../src/web/pages/console-users/device';

const AGENTS: [string, string][] = [
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    'Chrome on macOS',
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
    'Edge on Windows',
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0',
    'Opera on Windows',
  ],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'Firefox on Linux'],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    'Safari on iOS',
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
    'Chrome on iOS',
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
    'Samsung Internet on Android',
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    'Chrome on Android',
  ],
  [
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    'Chrome on ChromeOS',
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    'Safari on macOS',
  ],
  ['curl/8.5.0', 'curl'],
  ['python-requests/2.31.0', 'Python requests'],
  ['node', 'Node.js'],
  ['SomeAgent/1.0 (custom)', 'SomeAgent'],
];

describe('deviceInWords', () => {
  it.each(AGENTS)('%s is %s', (agent, words) => {
    expect(deviceInWords(agent)).toBe(words);
  });

  it('says so when there is none', () => {
    expect(deviceInWords(null)).toBe('Unknown device');
    expect(deviceInWords('')).toBe('Unknown device');
  });
});

describe('signInInWords', () => {
  it('names the methods and the client', () => {
    expect(signInInWords(['pwd'], null)).toBe('password');
    expect(signInInWords(['pwd', 'otp', 'mfa'], 'Reports')).toBe(
      'password + one-time code, through Reports',
    );
    expect(signInInWords(['hwk', 'mfa'], null)).toBe('passkey');
    expect(signInInWords([], 'Batch')).toBe(
      'not recorded (SSO, a client or an import), through Batch',
    );
  });
});
