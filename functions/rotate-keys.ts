import { keyRotationFromEnv } from '../src/http/key-rotation-from-env';

// Secrets Manager's rotation of the signing keys (docs/aws.md "Signing keys and their rotation").
export const handler = keyRotationFromEnv(process.env);
