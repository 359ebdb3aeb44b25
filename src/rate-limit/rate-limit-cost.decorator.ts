import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT_COST = 'rate-limit:cost';

/** A route whose request counts as one request per item of a body array (a batch: per command). */
export interface RateLimitCostOptions {
  /** The body's array field whose items count. */
  perItemOf: string;
  /** The most items the route accepts (its DTO refuses more): the most a request is charged. */
  max: number;
}

/**
 * What a request of this route costs against its user's limit, when not one request: the length of
 * the body's `perItemOf` array, between 1 and `max`. RateLimitGuard charges it before the route runs
 * (and before the body is validated: a body without such an array costs one request).
 */
export const RateLimitCost = (options: RateLimitCostOptions) => SetMetadata(RATE_LIMIT_COST, options);

/** How many requests `body` counts as, for a route with `options` (or none: one). */
export function requestsIn(options: RateLimitCostOptions | undefined, body: unknown): number {
  if (!options || typeof body !== 'object' || body === null) return 1;
  const items = (body as Record<string, unknown>)[options.perItemOf];
  return Array.isArray(items) ? Math.min(Math.max(items.length, 1), options.max) : 1;
}
