import { Defined, IsListId } from './validators.js';

/** Query of `GET /api/tasks/stats`. */
export class TaskStatsQueryDto {
  /**
   * Count the tasks of this list only (`404` when you are not a member). Absent: every list you are a
   * member of.
   */
  @Defined()
  @IsListId()
  list_id?: string;
}

/** Counts over the tasks the caller can see (or of one list). */
export class TaskStatsDto {
  /** @example 12 */
  total: number;
  /** Not completed. @example 7 */
  pending: number;
  /** @example 5 */
  completed: number;
  /** Not completed and due before now. @example 2 */
  overdue: number;
}
