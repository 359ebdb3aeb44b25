import { limitReachedError, notFoundError, targetRefusedError } from '../errors/shared.errors.js';

/**
 * What can go wrong with Web Push, as the service says it. PushProblemsFilter (push-problems.ts)
 * turns each into its HTTP answer.
 */

/** No VAPID key pair is configured (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT): push is off. */
export class PushNotConfiguredError extends Error {
  static readonly detail =
    'Web Push is not configured on this server (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT)';
  constructor() {
    super(PushNotConfiguredError.detail);
  }
}

/** No push subscription with this id among the caller's. */
export class PushSubscriptionNotFoundError extends notFoundError('No push subscription with this id') {}

/** The caller has the most push subscriptions one user may: nothing was stored. */
export class PushSubscriptionLimitReachedError extends limitReachedError(
  'Push subscription limit reached',
  (limit) => `You have ${limit} push subscriptions, the most one user may; delete one to add another`,
) {}

/** The endpoint may never be pushed to (its scheme, or a literal address that is not public). */
export class PushEndpointRefusedError extends targetRefusedError('endpoint') {}

export const PUSH_ERRORS = [
  PushNotConfiguredError,
  PushSubscriptionNotFoundError,
  PushSubscriptionLimitReachedError,
  PushEndpointRefusedError,
] as const;
export type PushError = InstanceType<(typeof PUSH_ERRORS)[number]>;
