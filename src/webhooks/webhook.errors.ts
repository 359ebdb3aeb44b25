import { limitReachedError, notFoundError, targetRefusedError } from '../errors/shared.errors.js';

/**
 * What can go wrong with a webhook, as the service says it. WebhookProblemsFilter
 * (webhook-problems.ts) turns each into its HTTP answer.
 */

/** No webhook with this id among the caller's (another user's is not found either). */
export class WebhookNotFoundError extends notFoundError('No webhook with this id') {}

/** The caller has the most webhooks one user may: nothing was created. */
export class WebhookLimitReachedError extends limitReachedError(
  'Webhook limit reached',
  (limit) => `You have ${limit} webhooks, the most one user may; delete one to add another`,
) {}

/** The URL may never be delivered to (its scheme, or a literal address that is not public). */
export class WebhookUrlRefusedError extends targetRefusedError('url') {}

export const WEBHOOK_ERRORS = [
  WebhookNotFoundError,
  WebhookLimitReachedError,
  WebhookUrlRefusedError,
] as const;
export type WebhookError = InstanceType<(typeof WEBHOOK_ERRORS)[number]>;
