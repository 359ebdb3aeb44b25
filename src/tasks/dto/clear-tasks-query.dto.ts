import { IsIn } from 'class-validator';
import { Defined, IsListId } from './validators.js';

/** Query of `DELETE /api/tasks`: only `status=completed` (clear completed) exists; anything else is 400. */
export class ClearTasksQueryDto {
  /**
   * Must be `completed`: delete every completed task of the list, with all their subtasks.
   * @example "completed"
   */
  @IsIn(['completed'])
  status: 'completed';

  /**
   * The list to clear (you must be its owner or an editor). Absent: your inbox.
   */
  @Defined()
  @IsListId()
  list_id?: string;
}

/** What clear completed removed. */
export class ClearedTasksDto {
  /**
   * How many tasks were deleted, subtasks of completed tasks included.
   * @example 3
   */
  deleted: number;
}
