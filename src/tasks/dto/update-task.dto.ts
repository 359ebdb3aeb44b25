import { PartialType } from '@nestjs/swagger';
import { ReplaceTaskDto } from './create-task.dto.js';
import { OccurrenceField } from './set-completed.dto.js';

/**
 * `PATCH`: only the fields given change. `null` clears `description`, `due_date`, `time_zone` or
 * `recurrence`; it is rejected for every other field. `parent_id` and `position` are not fields here
 * (`move`).
 */
export class UpdateTaskDto extends PartialType(ReplaceTaskDto, { skipNullProperties: false }) {
  /**
   * With `"completed": true` (`null`: absent): complete this occurrence only (the `due_date` the client saw); when the
   * task's `due_date` is no longer this instant, nothing changes and the answer is the current task.
   */
  @OccurrenceField()
  occurrence?: string | null;
}
