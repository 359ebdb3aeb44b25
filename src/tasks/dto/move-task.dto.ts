import { OptionalTaskId } from './validators.js';

/** Body of `POST /api/tasks/{id}/move`: where the task goes. `{}` moves it first among its siblings. */
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
}
