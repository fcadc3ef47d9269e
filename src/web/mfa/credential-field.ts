import { GatehouseError } from '../../core/shared/errors';
import type { PageRequest } from '../page-handler';

/**
 * The WebAuthn ceremony's JSON the page script put in the form's `credential` field, as the
 * JSON API's body member: an object, or 400 (the core checks everything inside it).
 */
export const credentialField = <T>(request: PageRequest): T => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.form.get('credential') ?? '');
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatehouseError(
      'record_invalid',
      'credential: your browser sent no passkey or security key answer. Try again.',
    );
  }
  return parsed as T;
};
