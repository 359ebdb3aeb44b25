import { IsBoolean, IsIn, IsInt, IsString, Length, Max, Min, ValidateBy } from 'class-validator';
import { isUuid } from '../../common/uuid.js';
import { Transform } from 'class-transformer';
import {
  LIMITS,
  MAX_LIMIT,
  ORDERS,
  PRIORITIES,
  SORT_KEYS,
  STATUSES,
  type Order,
  type Priority,
  type SortKey,
  type Status,
} from '../task.schema.js';
import { Defined, IsDateTimeWithOffset, IsListId, NoNulCharacters, QueryInt } from './validators.js';

/**
 * Query parameters of the task list. Every one is optional and validated; unknown ones are rejected.
 * No examples on any of them: Swagger UI's "Try it out" fills in every example, and a list filtered
 * by made-up values answers none of the caller's tasks (test/swagger-try-it-out.e2e-spec.ts).
 */
export class ListTasksQueryDto {
  /**
   * Only the tasks of this list (`404` when you are not a member). Absent: the tasks of every list
   * you are a member of.
   */
  @Defined()
  @IsListId()
  list_id?: string;

  /**
   * Only the tasks assigned to you (`me`), to nobody (`none`), or to the member with this user id.
   * Absent: all.
   */
  @Defined()
  @IsString()
  @NoNulCharacters()
  @Length(1, LIMITS.userId)
  assignee_id?: string;

  /**
   * Which tasks: all (default), pending (not completed) or completed.
   */
  @Defined()
  @IsIn(STATUSES)
  status?: Status;

  /**
   * Only tasks of this priority.
   */
  @Defined()
  @IsIn(PRIORITIES)
  priority?: Priority;

  /**
   * Only tasks carrying this tag (compared trimmed and lower-cased, like stored tags), e.g. `home`.
   */
  @Defined()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsString()
  @NoNulCharacters()
  @Length(1, LIMITS.tag)
  tag?: string;

  /**
   * Case-insensitive substring of the title or the description, e.g. `milk`; `%`, `_` and `\` match
   * literally.
   */
  @Defined()
  @IsString()
  @NoNulCharacters()
  @Length(1, LIMITS.title)
  q?: string;

  /**
   * Only tasks due at or after this instant (ISO 8601 with offset, e.g. `2026-12-01T00:00:00Z`).
   * Excludes tasks without a due date.
   */
  @Defined()
  @IsDateTimeWithOffset()
  due_after?: string;

  /**
   * Only tasks due before this instant (exclusive; ISO 8601 with offset, e.g. `2027-01-01T00:00:00Z`).
   * Excludes tasks without a due date.
   */
  @Defined()
  @IsDateTimeWithOffset()
  due_before?: string;

  /**
   * Only the subtasks of this task (its id), or `none`: only top-level tasks. Absent: all tasks.
   */
  @Defined()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && isUuid(value) ? value.toLowerCase() : value,
  )
  @ValidateBy({
    name: 'isParentFilter',
    validator: {
      validate: (value) => value === 'none' || isUuid(value),
      defaultMessage: () => '$property must be a task id (a UUID) or none',
    },
  })
  parent_id?: string;

  /**
   * `true`: only tasks that repeat (`recurrence` set); `false`: only those that do not. Absent: both.
   */
  @Defined()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  recurring?: boolean;

  /**
   * Sort key (default `created_at`); ties are broken by `id` in the same direction, so the order is
   * total. Tasks without a `due_date` come last in both directions. `position` is your manual order
   * among siblings (default `asc`): use it with `parent_id` (`none` for the top level, or a task's
   * id for its subtasks); across all lists the keys of different lists interleave.
   */
  @Defined()
  @IsIn(SORT_KEYS)
  sort?: SortKey;

  /**
   * Direction; defaults to `desc` for `created_at`, `updated_at` and `priority` (high first),
   * `asc` for `title`, `due_date` (soonest first) and `position`.
   */
  @Defined()
  @IsIn(ORDERS)
  order?: Order;

  /**
   * Page size, 1–100 (default 50).
   */
  @Defined()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  /**
   * Opaque position from the previous page's `Link: <…>; rel="next"` (leave empty for the first
   * page). Valid only with the same filters, `sort` and `order` as the page it came from; anything
   * else is `400`.
   */
  @Defined()
  @IsString()
  @Length(1, 1000)
  cursor?: string;
}
