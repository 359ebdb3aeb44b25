import { limitReachedError, notFoundError } from '../errors/shared.errors.js';

/**
 * What can go wrong with app passwords, as the service says it. AppPasswordProblemsFilter
 * (app-password-problems.ts) turns each into its HTTP answer.
 */

/** No app password with this id among the caller's (another user's is not found either). */
export class AppPasswordNotFoundError extends notFoundError('No app password with this id') {}

/** The caller has the most app passwords one user may: nothing was created. */
export class AppPasswordLimitReachedError extends limitReachedError(
  'App password limit reached',
  (limit) => `You have ${limit} app passwords, the most one user may; delete one to make another`,
) {}

export const APP_PASSWORD_ERRORS = [AppPasswordNotFoundError, AppPasswordLimitReachedError] as const;
export type AppPasswordError = InstanceType<(typeof APP_PASSWORD_ERRORS)[number]>;
