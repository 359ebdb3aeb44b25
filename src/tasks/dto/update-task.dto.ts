import { PartialType } from '@nestjs/swagger';
import { CreateTaskDto } from './create-task.dto.js';

/**
 * `PATCH`: only the fields given change. `null` clears `description` or `due_date`;
 * it is rejected for every other field.
 */
export class UpdateTaskDto extends PartialType(CreateTaskDto, { skipNullProperties: false }) {}
