import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { GatehouseError } from '../../core/shared/errors';
import { assertionOf, registrationOf } from '../../http/actions/webauthn-json';
import { PasskeyVerifyBody, RegisterWebAuthnBody } from '../../http/webauthn-schemas';
import { checked, given } from '../forms';
import type { PageRequest } from '../page-handler';

/** The JSON the page script put in the form's `credential` field: an object, or 400. */
const ceremonyJson = (request: PageRequest): unknown => {
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
  return parsed;
};

/** A WebAuthn assertion from the form, bounded by the JSON API's own schema. */
export const assertionField = (request: PageRequest): AuthenticationResponseJSON =>
  assertionOf(checked(PasskeyVerifyBody, { credential: ceremonyJson(request) }).credential);

/** A registration and its name from the form, checked as `POST /me/mfa/webauthn` checks them. */
export const registrationFields = (
  request: PageRequest,
): { credential: RegistrationResponseJSON; name: string | undefined } => {
  const name = given(request.form, 'name');
  const body = checked(RegisterWebAuthnBody, {
    credential: ceremonyJson(request),
    ...(name ? { name } : {}),
  });
  return { credential: registrationOf(body.credential), name: body.name };
};
