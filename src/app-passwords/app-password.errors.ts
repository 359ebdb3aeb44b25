/**
 * What can go wrong with app passwords, as the service says it. AppPasswordProblemsFilter
 * (app-password-problems.ts) turns each into its HTTP answer.
 */

/** No app password with this id among the caller's (another user's is not found either). */
export class AppPasswordNotFoundError extends Error {
  static readonly detail = 'No app password with this id';
  constructor() {
    super(AppPasswordNotFoundError.detail);
  }
}

/** The caller has the most app passwords one user may: nothing was created. */
export class AppPasswordLimitReachedError extends Error {
  static readonly title = 'App password limit reached';
  static readonly detail = (limit: number) =>
    `You have ${limit} app passwords, the most one user may; delete one to make another`;
  constructor(readonly limit: number) {
    super(AppPasswordLimitReachedError.detail(limit));
  }
}

export const APP_PASSWORD_ERRORS = [AppPasswordNotFoundError, AppPasswordLimitReachedError] as const;
export type AppPasswordError = InstanceType<(typeof APP_PASSWORD_ERRORS)[number]>;
