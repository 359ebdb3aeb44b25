import { LimitReachedError, limitReachedError, notFoundError } from '../errors/shared.errors.js';
import { TaskLimitReachedError } from '../tasks/task.errors.js';

/**
 * What can go wrong with a list or with a task's list, as the services say it. listProblem
 * (list-problems.ts) turns each into its HTTP answer.
 */

/** No list with this id among the caller's: unknown, or one the caller is not a member of (never told apart). */
export class ListNotFoundError extends notFoundError('No list with this id') {}

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

/**
 * The caller owns MAX_LISTS_PER_USER lists already: the create made nothing. Or, on a transfer
 * (`recipient`), the member who was to become the owner does: nothing changed.
 */
export class ListLimitReachedError extends LimitReachedError {
  static readonly title = 'List limit reached';
  static readonly detail = (limit: number) =>
    `You own ${limit} lists, the most one user may; delete some to create more`;
  static readonly recipientDetail = (limit: number) =>
    `That member owns ${limit} lists already, the most one user may; nothing changed`;
  constructor(limit: number, recipient = false) {
    const detail = recipient ? ListLimitReachedError.recipientDetail : ListLimitReachedError.detail;
    super(ListLimitReachedError.title, limit, detail(limit));
  }
}

/**
 * A transfer would take the new owner past MAX_TASKS_PER_USER: the list's tasks count against the
 * limit of whoever owns it (the same title as a create over the limit). Nothing changed.
 */
export class RecipientTaskLimitError extends limitReachedError(
  TaskLimitReachedError.title,
  (limit) =>
    `With this list's tasks that member would hold more than ${limit} tasks in their lists, the most one user may; nothing changed`,
) {}

/** The inbox cannot be deleted, shared or given away. */
export class InboxError extends Error {
  static readonly deleted = 'The inbox cannot be deleted';
  static readonly shared = 'The inbox cannot be shared';
  static readonly transferred = 'The inbox cannot be given away';
}

/** The owner's own membership: they cannot leave, be removed or change role; they transfer the list first. */
export class OwnerStaysError extends Error {
  static readonly title = 'Transfer the list first';
  static readonly leave = 'The owner cannot leave the list; transfer it to another member first';
  static readonly role = "The owner's role cannot change; transfer the list to another member instead";
}

/** The user in the path (or the transfer's `user_id`) is not a member of the list. */
export class MemberNotFoundError extends Error {
  static readonly detail = 'No member with this user id in this list';
  static readonly notMember = 'is not a member of this list';
  static readonly owner = 'is the owner already';
  /** `field`: the body field that named them (a 400 naming it, with `message`); none: the path (404). */
  constructor(
    readonly field?: 'user_id',
    message: string = MemberNotFoundError.detail,
  ) {
    super(message);
  }
}

/** The list has MAX_MEMBERS_PER_LIST members already: the accept changed nothing, the invitation stays open. */
export class ListFullError extends Error {
  static readonly title = 'List is full';
  static readonly detail = (limit: number) =>
    `This list has ${limit} members, the most a list may have; the invitation stays open`;
  constructor(readonly limit: number) {
    super(ListFullError.detail(limit));
  }
}

/** An invitation that is unknown, used, revoked or expired (never told apart). */
export class InvitationNotFoundError extends Error {
  static readonly detail = 'No open invitation with this token';
  static readonly byId = 'No open invitation with this id in this list';
  constructor(detail = InvitationNotFoundError.detail) {
    super(detail);
  }
}

/** An invitation bound to an email other than the caller's token's: nothing changed, it stays open. */
export class InvitationForSomeoneElseError extends Error {
  static readonly title = 'Invitation for another email';
  static readonly detail = 'This invitation is for another email address than the one your sign-in carries';
  constructor() {
    super(InvitationForSomeoneElseError.detail);
  }
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
  RecipientTaskLimitError,
  InboxError,
  StaleListError,
  OwnerStaysError,
  MemberNotFoundError,
  ListFullError,
  InvitationNotFoundError,
  InvitationForSomeoneElseError,
] as const;

export type ListError = InstanceType<(typeof LIST_ERRORS)[number]>;
