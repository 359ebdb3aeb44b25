import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsListId, OptionalTaskId } from './validators.js';

/**
 * Body of `POST /api/tasks/{id}/move`: where the task goes. `{}` moves it first among its siblings;
 * with `list_id`, into another list (with its subtasks).
 */
export class MoveTaskDto {
  /**
   * The new parent: one of your top-level tasks (the task then becomes its subtask; a task that has
   * subtasks cannot), or `null` for the top level. Absent: the parent stays.
   */
  @OptionalTaskId()
  parent_id?: string | null;

  /** Place the task right after this sibling under the (new) parent. Absent or `null`: first. */
  @OptionalTaskId()
  after?: string | null;

  /**
   * Move the task, with all its subtasks, into this list: you must be its owner or an editor, as in
   * the task's list (a list you are not a member of is `404`, one you only view `403`). `parent_id`
   * and `after` then name tasks of that list; absent `parent_id`: the top level there. A subtask
   * does not move to another list alone (`400`): make it a top-level task first. An `assignee_id`
   * who is not a member of that list is cleared. Absent or `null`: the task stays in its list.
   */
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, example: null })
  @IsOptional()
  @IsListId()
  list_id?: string | null;
}
