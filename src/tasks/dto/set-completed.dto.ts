import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, ValidateBy } from 'class-validator';
import { Defined, IsDateTimeWithOffset } from './validators.js';

/** `occurrence` is only read with `completed: true` (the completion of that occurrence). */
export const OccurrenceField = () =>
  applyDecorators(
    // Example null (absent): Swagger's "Try it out" sends it, and a made-up occurrence changes nothing.
    ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: null }),
    IsOptional(),
    IsDateTimeWithOffset(),
    ValidateBy({
      name: 'occurrenceWithCompleted',
      validator: {
        validate: (_value, args) => (args?.object as { completed?: unknown }).completed === true,
        defaultMessage: () => 'is only allowed with "completed": true',
      },
    }),
  );

/** Optional body of `PATCH …/complete`: without it the task is toggled. */
export class SetCompletedDto {
  /**
   * Set `completed` to this value (idempotent) instead of toggling it. On a recurring task, `true`
   * completes the current occurrence (the task moves to its next one) and `false` changes nothing.
   * @example true
   */
  @Defined()
  @IsBoolean()
  completed?: boolean;

  /**
   * With `"completed": true` (`null`: absent): complete this occurrence only, the `due_date` the client saw. When the
   * task's `due_date` is no longer this instant (another request completed or moved it), nothing
   * changes and the answer is the current task: a double click or a retry never skips an occurrence.
   */
  @OccurrenceField()
  occurrence?: string | null;
}
