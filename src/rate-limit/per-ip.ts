import type { Request } from 'express';
import { clientKey } from '../http/client-address.js';
import type { RateLimiter } from './rate-limiter.js';

const COUNTED = Symbol('counted per IP');

/** Whether this request already counted against its client's address (it never counts twice). */
export const countedPerIp = (req: Request): boolean => (req as { [COUNTED]?: boolean })[COUNTED] === true;

/**
 * Counts the request against its client's address (clientKey: per IPv4 address, per IPv6 /64,
 * behind TRUST_PROXY's proxies); rejects with the 429 problem once that address is over
 * RATE_LIMIT_IP_PER_MINUTE.
 */
export function countPerIp(limiter: RateLimiter, req: Request): Promise<void> {
  (req as { [COUNTED]?: boolean })[COUNTED] = true;
  return limiter.consumeFailedAuth(clientKey(req.ip));
}

/**
 * A request that matched no route and carries a token that was never looked at (no route, no
 * guard): it counts per IP like a request without a token, so junk tokens cannot flood 404s.
 */
export const unroutedWithToken = (req: Request): boolean =>
  (req as { route?: unknown }).route === undefined &&
  req.headers.authorization !== undefined &&
  !countedPerIp(req);
