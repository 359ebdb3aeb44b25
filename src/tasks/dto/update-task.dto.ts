import { PartialType } from '@nestjs/swagger';
import { ReplaceTaskDto } from './create-task.dto.js';

/**
 * `PATCH`: only the fields given change. `null` clears `description` or `due_date`;
 * it is rejected for every other field. `parent_id` and `position` are not fields here (`move`).
 */
export class UpdateTaskDto extends PartialType(ReplaceTaskDto, { skipNullProperties: false }) {}
