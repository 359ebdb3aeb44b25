import { IsIn } from 'class-validator';

/** Query of `DELETE /api/tasks`: only `status=completed` (clear completed) exists; anything else is 400. */
export class ClearTasksQueryDto {
  /**
   * Must be `completed`: delete every completed task of yours, with all their subtasks.
   * @example "completed"
   */
  @IsIn(['completed'])
  status: 'completed';
}

/** What clear completed removed. */
export class ClearedTasksDto {
  /**
   * How many tasks were deleted, subtasks of completed tasks included.
   * @example 3
   */
  deleted: number;
}
