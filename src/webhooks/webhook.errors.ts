/**
 * What can go wrong with a webhook, as the service says it. WebhookProblemsFilter
 * (webhook-problems.ts) turns each into its HTTP answer.
 */

/** No webhook with this id among the caller's (another user's is not found either). */
export class WebhookNotFoundError extends Error {
  static readonly detail = 'No webhook with this id';
  constructor() {
    super(WebhookNotFoundError.detail);
  }
}

/** The caller has the most webhooks one user may: nothing was created. */
export class WebhookLimitReachedError extends Error {
  static readonly title = 'Webhook limit reached';
  static readonly detail = (limit: number) =>
    `You have ${limit} webhooks, the most one user may; delete one to add another`;
  constructor(readonly limit: number) {
    super(WebhookLimitReachedError.detail(limit));
  }
}

/** The URL may never be delivered to (its scheme, or a literal address that is not public). */
export class WebhookUrlRefusedError extends Error {
  static readonly field = 'url';
  constructor(reason: string) {
    super(reason);
  }
}

export const WEBHOOK_ERRORS = [
  WebhookNotFoundError,
  WebhookLimitReachedError,
  WebhookUrlRefusedError,
] as const;
export type WebhookError = InstanceType<(typeof WEBHOOK_ERRORS)[number]>;
