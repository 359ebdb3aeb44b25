import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { UNAUTHORIZED_DETAIL } from '../auth/unauthorized.js';
import { ProblemDto } from '../errors/problem.dto.js';
import { DATABASE_UNAVAILABLE, unexpectedDetail } from '../errors/problem.filter.js';
import { SHARED_STATUS } from '../errors/shared.errors.js';
import { BODY_ERRORS, NOT_JSON } from '../http/json-body.middleware.js';
import {
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
} from '../idempotency/idempotency.service.js';
import { USER_LIMITED } from '../rate-limit/rate-limiter.js';
import { NOT_OWN_PATH } from '../tasks/own-path.guard.js';
import { SyncTokenExpiredError } from '../sync/sync.errors.js';
import {
  NoNextOccurrenceError,
  PlacementConflictError,
  StaleTaskError,
  TaskLimitReachedError,
  TaskNotFoundError,
} from '../tasks/task.errors.js';
import {
  InboxError,
  InvitationForSomeoneElseError,
  InvitationNotFoundError,
  ListFullError,
  ListLimitReachedError,
  RecipientTaskLimitError,
  ListNotFoundError,
  MemberNotFoundError,
  OwnerOnlyError,
  OwnerStaysError,
  ReadOnlyListError,
  StaleListError,
} from '../lists/list.errors.js';

const REQUEST_ID = '01HZX3K8Q2V7J5M9N4P6R8T0W2';

/** Each status: what it means, and an example body with the detail the server really sends. */
const PROBLEMS: Record<number, { description: string; detail: string; errors?: ProblemDto['errors'] }> = {
  400: {
    description:
      'Invalid input: malformed id, unknown or invalid fields (see `errors[]`; a `__proto__`, `constructor` or `prototype` key is an unknown field), malformed JSON, or JSON nested deeper than 32 levels',
    detail: 'Validation failed: title',
    errors: [{ field: 'title', message: 'must be longer than or equal to 1 characters' }],
  },
  401: {
    description:
      'Missing, invalid or expired bearer token (see the `WWW-Authenticate` header); a token over 8 192 characters, or with a `typ` other than absent, `JWT` or `at+jwt`, is invalid',
    detail: UNAUTHORIZED_DETAIL.expired,
  },
  403: { description: 'The `user_id` in the path is not the caller', detail: NOT_OWN_PATH },
  404: { description: 'No such task for this caller', detail: TaskNotFoundError.detail },
  409: {
    description: 'A request with this `Idempotency-Key` is still in progress; retry shortly',
    detail: IdempotencyKeyInFlightError.detail,
  },
  412: {
    description: 'The `If-Match` tag is stale; the current one is in `ETag`',
    detail: StaleTaskError.detail(4),
  },
  413: { description: 'The request body is larger than 64 KiB', detail: BODY_ERRORS['entity.too.large'][1] },
  415: { description: 'The request body is not `application/json`', detail: NOT_JSON },
  422: {
    description: 'This `Idempotency-Key` was already used with a different request body',
    detail: IdempotencyKeyReusedError.detail,
  },
  429: { description: 'Too many requests; see `Retry-After`', detail: USER_LIMITED },
  500: {
    description: 'Unexpected error (logged with the request id; no details are returned)',
    detail: unexpectedDetail(REQUEST_ID),
  },
  503: {
    description:
      'The database is unavailable or did not answer within its statement timeout; retry later (see `Retry-After`)',
    detail: DATABASE_UNAVAILABLE,
  },
};

/** A route's own reading of a status (several causes of one status on one route). */
export interface ProblemDoc {
  status: number;
  description: string;
  detail: string;
  title?: string;
  errors?: ProblemDto['errors'];
}

/**
 * A route's `403` at a limit (a LimitReachedError: `error` is its class): its title and its detail at
 * `limit`, described as the title and then `what`.
 */
export const limitReachedDoc = (
  error: { title: string; detail: (limit: number) => string },
  limit: number,
  what: string,
): ProblemDoc => ({
  status: SHARED_STATUS.limitReached,
  description: `\`${error.title}\`: ${what}`,
  detail: error.detail(limit),
  title: error.title,
});

/** A route's `404` for a row that is not among the caller's (a NotFoundError: `error` is its class). */
export const notFoundDoc = (error: { detail: string }, description: string): ProblemDoc => ({
  status: SHARED_STATUS.notFound,
  description,
  detail: error.detail,
});

/** POST /api/tasks: 403 is also the per-user limit, with its own title. */
export const CREATE_FORBIDDEN: ProblemDoc = {
  status: 403,
  description: `${PROBLEMS[403].description}, or \`${TaskLimitReachedError.title}\`: the list's owner holds MAX_TASKS_PER_USER tasks in their lists already (subtasks included) and nothing was created`,
  detail: TaskLimitReachedError.detail(100_000),
  title: TaskLimitReachedError.title,
};

/** Task writes: 403 is also a viewer's write. */
export const WRITE_FORBIDDEN: ProblemDoc = {
  status: 403,
  description: `${PROBLEMS[403].description}, or \`${ReadOnlyListError.title}\`: your role in the task's list (viewer) lets you read its tasks, not change them`,
  detail: ReadOnlyListError.detail,
  title: ReadOnlyListError.title,
};

/** /api/lists/{id}: an unknown list and one the caller is not a member of are the same 404. */
/** A move's 403: read-only in either list, or the target list's owner at their task limit. */
export const MOVE_FORBIDDEN: ProblemDoc = {
  ...WRITE_FORBIDDEN,
  description: `${WRITE_FORBIDDEN.description} (in the task's list or in \`list_id\`), or \`${TaskLimitReachedError.title}\`: a move into another owner's list would take them past MAX_TASKS_PER_USER (the task and its subtasks count) and nothing moved`,
};

export const LIST_NOT_FOUND: ProblemDoc = {
  status: 404,
  description: 'No such list for this caller (unknown, or you are not a member)',
  detail: ListNotFoundError.detail,
};

/** PATCH and DELETE /api/lists/{id}: members other than the owner. */
export const OWNER_ONLY: ProblemDoc = {
  status: 403,
  description: `\`${OwnerOnlyError.title}\`: you are a member of this list, not its owner`,
  detail: OwnerOnlyError.detail,
  title: OwnerOnlyError.title,
};

/** POST /api/lists: the per-user limit of owned lists. */
export const LIST_CREATE_FORBIDDEN = limitReachedDoc(
  ListLimitReachedError,
  200,
  'you own MAX_LISTS_PER_USER lists already and nothing was created',
);

/** DELETE /api/lists/{id}: the inbox stays (besides the usual 400 of a malformed id). */
export const INBOX_UNDELETABLE: ProblemDoc = {
  status: 400,
  description: `${PROBLEMS[400].description}; or the list is your inbox, which cannot be deleted`,
  detail: InboxError.deleted,
};

/** Conditional list writes. */
export const STALE_LIST: ProblemDoc = {
  status: 412,
  description: 'The `If-Match` tag is stale; the current one is in `ETag`',
  detail: new StaleListError(4).message,
};

/** PATCH and DELETE /api/lists/{id}/members/{user_id}: a member other than the caller that the list does not have. */
export const MEMBER_NOT_FOUND: ProblemDoc = {
  status: 404,
  description: `${LIST_NOT_FOUND.description}; or, for the owner, no member with this user id`,
  detail: MemberNotFoundError.detail,
};

/** The owner's own membership stays: they cannot leave or change their role. */
export const OWNER_STAYS: ProblemDoc = {
  status: 409,
  description: `\`${OwnerStaysError.title}\`: the owner cannot leave, be removed or change role; transfer the list first`,
  detail: OwnerStaysError.leave,
  title: OwnerStaysError.title,
};

/** POST /api/lists/{id}/transfer: the 400s of its body, and the inbox. */
export const TRANSFER_INVALID: ProblemDoc = {
  status: 400,
  description: `${PROBLEMS[400].description}; \`user_id\` is not another member of the list; or the list is your inbox, which cannot be given away`,
  detail: 'Validation failed: user_id',
  errors: [{ field: 'user_id', message: MemberNotFoundError.notMember }],
};

/** POST /api/lists/{id}/transfer: the new owner owns MAX_LISTS_PER_USER lists already. */
export const TRANSFER_FORBIDDEN: ProblemDoc = {
  status: 403,
  description: `${OWNER_ONLY.description}; or \`${ListLimitReachedError.title}\`: the member owns MAX_LISTS_PER_USER lists already; or \`${RecipientTaskLimitError.title}\`: with the list's tasks the member would hold more than MAX_TASKS_PER_USER; nothing changed`,
  detail: OwnerOnlyError.detail,
  title: OwnerOnlyError.title,
};

/** POST /api/lists/{id}/invitations: the inbox is not shared. */
export const INBOX_UNSHARED: ProblemDoc = {
  status: 400,
  description: `${PROBLEMS[400].description}; or the list is your inbox, which cannot be shared`,
  detail: InboxError.shared,
};

/** DELETE /api/lists/{id}/invitations/{invitation_id}. */
export const INVITATION_ID_NOT_FOUND: ProblemDoc = {
  status: 404,
  description: `${LIST_NOT_FOUND.description}; or no open invitation with this id in the list`,
  detail: InvitationNotFoundError.byId,
};

/** GET /api/invitations/{token} and its accept: unknown, used, revoked and expired are one answer. */
export const INVITATION_NOT_FOUND: ProblemDoc = {
  status: 404,
  description: 'No open invitation with this token: unknown, used, revoked or expired (never told apart)',
  detail: InvitationNotFoundError.detail,
};

/** POST /api/invitations/{token}/accept: bound to another email; the invitation stays open. */
export const INVITATION_FORBIDDEN: ProblemDoc = {
  status: 403,
  description: `\`${InvitationForSomeoneElseError.title}\`: the invitation is bound to an email your token's \`email\` claim does not equal (case-insensitive); it stays open`,
  detail: InvitationForSomeoneElseError.detail,
  title: InvitationForSomeoneElseError.title,
};

/** POST /api/invitations/{token}/accept: MAX_MEMBERS_PER_LIST reached; the invitation stays open. */
export const LIST_FULL: ProblemDoc = {
  status: 409,
  description: `\`${ListFullError.title}\`: the list has MAX_MEMBERS_PER_LIST members (the owner included); nothing changed and the invitation stays open`,
  detail: ListFullError.detail(50),
  title: ListFullError.title,
};

/** POST /api/tasks/{id}/move: 409 is concurrent placements winning the gap, nothing changed. */
export const MOVE_CONFLICT: ProblemDoc = {
  status: 409,
  description: 'Concurrent moves and creates kept taking the place this move wanted; nothing changed, retry',
  detail: PlacementConflictError.detail,
};

/** POST /api/tasks/{id}/skip: 409 when there is no next occurrence to move to. */
export const SKIP_CONFLICT: ProblemDoc = {
  status: 409,
  description:
    'The task does not repeat, is completed, or its series has no next occurrence; nothing changed',
  detail: NoNextOccurrenceError.notRecurring,
};

/** GET /api/tasks/changes: 410 is a sync token older than the kept deletions. */
export const SYNC_EXPIRED: ProblemDoc = {
  status: 410,
  description:
    'The sync token is older than SYNC_RETENTION_DAYS of kept deletions: start over with a full sync (no `since`)',
  detail: SyncTokenExpiredError.detail(30),
  title: SyncTokenExpiredError.title,
};

const problemResponse = (doc: number | ProblemDoc) => {
  const { status, description, detail, errors, title } =
    typeof doc === 'number' ? { status: doc, ...PROBLEMS[doc], title: undefined } : doc;
  const example: ProblemDto = {
    type: 'about:blank',
    title: title ?? STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: '/api/tasks',
    request_id: REQUEST_ID,
    ...(errors ? { errors } : {}),
  };
  return ApiResponse({
    status,
    description,
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) }, example } },
  });
};

/** Documents the problem+json error responses a route can give (and 500, which any can). */
export function ApiProblems(...statuses: (number | ProblemDoc)[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      status === 304
        ? ApiResponse({
            status,
            description: 'Not modified: the `If-None-Match` tag matches the current version',
          })
        : problemResponse(status),
    ),
    problemResponse(500),
  );
}
