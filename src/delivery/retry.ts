import { DELIVERY_LIMITS } from './delivery.schema.js';

/**
 * A `Retry-After` header (RFC 9110 §10.2.3) as milliseconds from `now`: delay-seconds (`120`) or an
 * HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`, never less than 0); undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP-date starts with the day's name in each of its three forms (Date.parse alone reads "1.5" too).
  const at = /^[A-Za-z]{3}/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Exponential backoff with jitter: attempt 1 failed → about `baseMs`, then twice as long each time,
 * at most DELIVERY_LIMITS.maxDelayMs; each wait drawn between half of that and all of it ("equal
 * jitter"), so receivers that failed together are not all retried at once.
 */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(DELIVERY_LIMITS.maxDelayMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * How long to wait before the next attempt of a delivery made at `createdAt` whose attempt number
 * `attempt` just failed: the receiver's `Retry-After` when it gave one, else the backoff. Null when
 * that would be past the retry window (DELIVERY_LIMITS.retryWindowMs): it failed for good.
 */
export function retryDelayMs(
  attempt: number,
  createdAt: number,
  now: number,
  baseMs: number,
  retryAfter?: number,
  random: () => number = Math.random,
): number | null {
  const delay = retryAfter ?? backoffMs(attempt, baseMs, random);
  return now + delay > createdAt + DELIVERY_LIMITS.retryWindowMs ? null : delay;
}
