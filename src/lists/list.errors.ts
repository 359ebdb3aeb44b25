/**
 * What can go wrong with a list or with a task's list, as the services say it. listProblem
 * (list-problems.ts) turns each into its HTTP answer.
 */

/** No list with this id among the caller's: unknown, or one the caller is not a member of (never told apart). */
export class ListNotFoundError extends Error {
  static readonly detail = 'No list with this id';
  constructor() {
    super(ListNotFoundError.detail);
  }
}

/** A member whose role does not allow writing the list's tasks (a viewer). */
export class ReadOnlyListError extends Error {
  static readonly title = 'Read-only list';
  static readonly detail = 'Your role in this list lets you read its tasks, not change them';
  constructor() {
    super(ReadOnlyListError.detail);
  }
}

/** A member who is not the owner, on what only the owner may do (rename, recolour, delete). */
export class OwnerOnlyError extends Error {
  static readonly title = 'Only the owner can do this';
  static readonly detail = 'Only the owner of this list can do this';
  constructor() {
    super(OwnerOnlyError.detail);
  }
}

/** The caller owns MAX_LISTS_PER_USER lists already: the create made nothing. */
export class ListLimitReachedError extends Error {
  static readonly title = 'List limit reached';
  static readonly detail = (limit: number) =>
    `You own ${limit} lists, the most one user may; delete some to create more`;
  constructor(readonly limit: number) {
    super(ListLimitReachedError.detail(limit));
  }
}

/** The inbox cannot be deleted (nor, later, shared or given away). */
export class InboxError extends Error {
  static readonly deleted = 'The inbox cannot be deleted';
}

/** A conditional write of a list whose `If-Match` versions no longer match. */
export class StaleListError extends Error {
  constructor(readonly currentVersion: number) {
    super(`The list has changed: its current version is ${currentVersion}`);
  }
}

export const LIST_ERRORS = [
  ListNotFoundError,
  ReadOnlyListError,
  OwnerOnlyError,
  ListLimitReachedError,
  InboxError,
  StaleListError,
] as const;

export type ListError = InstanceType<(typeof LIST_ERRORS)[number]>;
