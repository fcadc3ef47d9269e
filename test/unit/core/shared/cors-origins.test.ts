import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/core/shared/config';
import { corsOriginsFromSetting } from '../../../../src/core/shared/cors-origins';

describe('CORS_ALLOWED_ORIGINS', () => {
  it('reads exact origins, https or local http, trimmed and without duplicates', () => {
    expect(
      corsOriginsFromSetting(
        ' https://a.example , https://b.example:8443,http://localhost:5173,http://127.0.0.1:8080,https://a.example',
      ),
    ).toEqual([
      'https://a.example',
      'https://b.example:8443',
      'http://localhost:5173',
      'http://127.0.0.1:8080',
    ]);
    expect(corsOriginsFromSetting(undefined)).toEqual([]);
    expect(loadConfig({}).corsAllowedOrigins).toEqual([]);
  });

  it('refuses at start a wildcard, a path, plain http elsewhere, or what is no origin', () => {
    for (const [value, why] of [
      ['*', /wildcard/],
      ['https://*.example.com', /wildcard/],
      ['https://a.example/', /did you mean "https:\/\/a.example"/],
      ['https://a.example/app', /not an origin/],
      ['https://A.example', /did you mean "https:\/\/a.example"/],
      ['http://a.example', /must be https/],
      ['a.example', /not an origin/],
      ['null', /not an origin/],
    ] as const) {
      expect(
        () => loadConfig({ CORS_ALLOWED_ORIGINS: `https://ok.example,${value}` }),
        value,
      ).toThrow(why);
      expect(() => corsOriginsFromSetting(value), value).toThrow(
        /^Invalid settings: CORS_ALLOWED_ORIGINS/,
      );
    }
  });
});
