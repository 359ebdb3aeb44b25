import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateBy, ValidateIf, type ValidationArguments } from 'class-validator';
import { IsDateTimeWithOffset } from '../../tasks/dto/validators.js';
import { REMINDER_LIMITS } from '../reminder.schema.js';

/** The two kinds of reminder: a body names exactly one. */
const KINDS = ['before_minutes', 'at'] as const;
const given = (body: object): number =>
  KINDS.filter((k) => (body as Record<string, unknown>)[k] !== undefined).length;

/** Fails unless the body names exactly one of KINDS (both, or neither, is 400 naming the field). */
const ExactlyOneKind = () =>
  ValidateBy({
    name: 'exactlyOneKind',
    validator: {
      validate: (_value, args?: ValidationArguments) => !!args && given(args.object) === 1,
      defaultMessage: () => 'give exactly one of before_minutes and at',
    },
  });

/**
 * `POST /api/tasks/{id}/reminders`: remind me `before_minutes` before the task's due date, or at
 * `at`. Exactly one of the two; any other field is rejected.
 */
export class CreateReminderDto {
  /**
   * Minutes before the task's `due_date` (0–40320, 28 days): the reminder follows the due date when it
   * moves, and a recurring task's every occurrence. Needs a `due_date` (else `400` naming `due_date`).
   * @example 15
   */
  @ApiPropertyOptional({ minimum: 0, maximum: REMINDER_LIMITS.beforeMinutesMax, type: 'integer' })
  // Validated when given, and when `at` is absent too (so that an empty body is told what to give).
  @ValidateIf((body: CreateReminderDto) => body.before_minutes !== undefined || body.at === undefined)
  @ExactlyOneKind()
  @IsInt()
  @Min(0)
  @Max(REMINDER_LIMITS.beforeMinutesMax)
  before_minutes?: number;

  /**
   * An absolute time: ISO 8601 date-time with an offset (`Z` or `±hh:mm`); returned normalised to
   * UTC. A time already past fires at once (or is skipped as late beyond REMINDER_MAX_LATE_MIN).
   * @example "2026-12-01T08:30:00+01:00"
   */
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @ValidateIf((body: CreateReminderDto) => body.at !== undefined)
  @ExactlyOneKind()
  @IsDateTimeWithOffset()
  at?: string;
}
