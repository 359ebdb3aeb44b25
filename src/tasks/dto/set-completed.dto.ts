import { IsBoolean } from 'class-validator';
import { Defined } from './validators.js';

/** Optional body of `PATCH …/complete`: without it the task is toggled. */
export class SetCompletedDto {
  /**
   * Set `completed` to this value (idempotent) instead of toggling it.
   * @example true
   */
  @Defined()
  @IsBoolean()
  completed?: boolean;
}
