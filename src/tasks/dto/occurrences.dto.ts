import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { MAX_LIMIT, OCCURRENCES } from '../task.schema.js';
import { Defined, IsDateTimeWithOffset, QueryInt } from './validators.js';

/**
 * Query of `GET /api/tasks/{id}/occurrences`. No examples: Swagger UI's "Try it out" would send
 * them (test/swagger-try-it-out.e2e-spec.ts).
 */
export class OccurrencesQueryDto {
  /** Occurrences at or after this instant (ISO 8601 with offset). Default: the task's `due_date`. */
  @Defined()
  @IsDateTimeWithOffset()
  from?: string;

  /**
   * Occurrences before this instant (exclusive; ISO 8601 with offset), at most 5 years after `from`
   * (later is `400`). Default: 5 years after `from`.
   */
  @Defined()
  @IsDateTimeWithOffset()
  to?: string;

  /** At most this many occurrences, 1–1000 (default 100). */
  @Defined()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(OCCURRENCES.maxLimit)
  limit?: number;
}

/** One occurrence of a task's series. */
export class OccurrenceDto {
  /**
   * When this occurrence is due, in UTC (computed in the task's `time_zone`).
   * @example "2026-12-07T08:00:00.000Z"
   */
  @ApiProperty({ format: 'date-time' })
  due_date: string;
}

/** Query of `GET /api/tasks/{id}/completions` (no examples, as for the listing). */
export class CompletionsQueryDto {
  /** Page size, 1–100 (default 50). */
  @Defined()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  /**
   * Opaque position from the previous page's `Link: <…>; rel="next"` (leave empty for the first
   * page); valid only for the same task, anything else is `400`.
   */
  @Defined()
  @IsString()
  @Length(1, 1000)
  cursor?: string;
}

/** One completed occurrence of a recurring task. */
export class CompletionDto {
  /**
   * The occurrence that was completed: the task's `due_date` then.
   * @example "2026-12-07T08:00:00.000Z"
   */
  @ApiProperty({ format: 'date-time' })
  occurrence: string;

  /**
   * When it was completed.
   * @example "2026-12-07T09:12:44.120Z"
   */
  @ApiProperty({ format: 'date-time' })
  completed_at: string;

  /**
   * Who completed it (their user id).
   * @example "user_2x9k3h"
   */
  completed_by: string;
}
