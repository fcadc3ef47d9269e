import { GatehouseError } from '../shared/errors';

/**
 * The most confirmed factors a user holds (Cognito and Keycloak cap them too): a reset or a
 * deletion clears them all in one DynamoDB transaction (2 items a passkey, 100 at most).
 */
export const MAX_FACTORS = 10;

export const tooManyFactors = () =>
  new GatehouseError(
    'conflict',
    `An account holds at most ${MAX_FACTORS} factors: remove one before adding another.`,
  );

/** Refuses a new factor early (its enrolment or options) when the user has the most already. */
export const assertRoomForFactor = (confirmed: number): void => {
  if (confirmed >= MAX_FACTORS) throw tooManyFactors();
};
