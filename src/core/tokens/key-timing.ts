import type { Config } from '../shared/config';
import type { RotationTiming } from './signing-keys';

/**
 * How often a warm signer re-reads the key set and a warm key ring the published keys. Below
 * the lead, so both hold a new key well before it signs.
 */
export const KEY_REFRESH_SECONDS = 300;

/**
 * How long a staged key is published before it signs: a verifier that read the JWKS within
 * this hour knows it (warm key rings refresh every five minutes).
 */
export const KEY_PUBLISH_LEAD_SECONDS = 3600;

/**
 * Retention past a key's last signature: ID tokens and access tokens share the access-token
 * lifetime; a day more covers clock tolerance, a signer's refresh interval and clock skew.
 */
export const keyRetentionSeconds = (config: Pick<Config, 'accessTokenTtlSeconds'>): number =>
  config.accessTokenTtlSeconds + 86_400;

/** A scheduled (or `rotate now`) rotation; `immediately` for a compromised key. */
export const rotationTiming = (
  config: Pick<Config, 'accessTokenTtlSeconds'>,
  options: { immediately?: boolean } = {},
): RotationTiming => ({
  leadSeconds: options.immediately ? 0 : KEY_PUBLISH_LEAD_SECONDS,
  retainSeconds: keyRetentionSeconds(config),
});
