import { randomUUID } from 'node:crypto';
import { b64url, signHs256 } from '../../src/auth/sign-hs256.js';
import { TEST_SECRET } from '../setup-env.js';

const now = () => Math.floor(Date.now() / 1000);

/** Signs a JWT with the test secret; any header, so hostile tokens (`alg: none`, missing claims) can be built too. */
export function signToken(
  claims: Record<string, unknown>,
  {
    secret = TEST_SECRET,
    header = { alg: 'HS256', typ: 'JWT' },
  }: { secret?: string; header?: Record<string, unknown> } = {},
): string {
  if (header.alg === 'none') return `${b64url(header)}.${b64url(claims)}.`;
  return signHs256(claims, secret, header);
}

/** A valid token for `sub` (15 minutes, like Better Auth's). */
export function tokenFor(sub: string, extra: Record<string, unknown> = {}): string {
  return signToken({ sub, iat: now(), exp: now() + 900, ...extra });
}

/** A fresh user id, so tests never see each other's tasks. */
export const newUser = (label = 'user') => `${label}-${randomUUID()}`;

export const seconds = now;
