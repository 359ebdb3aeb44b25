import { createHmac } from 'node:crypto';

/** A JSON value as a JWT segment. */
export const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs a JWT with a shared secret (HS256), by hand with node:crypto: independent of the libraries
 * the server verifies with, and free to carry any header. For `npm run token`, the tests and the
 * benchmarks; the server itself never signs tokens.
 */
export function signHs256(
  claims: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
