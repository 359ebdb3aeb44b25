import { IsIn, IsInt, Max, Min } from 'class-validator';
import { Defined, QueryInt } from './validators.js';

export const STATUSES = ['all', 'pending', 'completed'] as const;
export const SORT_KEYS = ['created_at', 'updated_at', 'title', 'due_date', 'priority'] as const;
export const ORDERS = ['asc', 'desc'] as const;

export type Status = (typeof STATUSES)[number];
export type SortKey = (typeof SORT_KEYS)[number];
export type Order = (typeof ORDERS)[number];

/** Query parameters of the task list. Every one is optional and validated; unknown ones are rejected. */
export class ListTasksQueryDto {
  /**
   * Which tasks: all (default), pending (not completed) or completed.
   * @example "pending"
   */
  @Defined()
  @IsIn(STATUSES)
  status?: Status;

  /**
   * Sort key (default `created_at`); ties are broken by `id`, so the order is total.
   * Tasks without a `due_date` come last in both directions.
   * @example "due_date"
   */
  @Defined()
  @IsIn(SORT_KEYS)
  sort?: SortKey;

  /**
   * Direction; defaults to `desc` for `created_at`, `updated_at` and `priority` (high first),
   * `asc` for `title` and `due_date` (soonest first).
   * @example "asc"
   */
  @Defined()
  @IsIn(ORDERS)
  order?: Order;

  /**
   * Page size, 1–100 (default 50).
   * @example 20
   */
  @Defined()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
