import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { LIMITS, PRIORITIES, type Priority } from '../task.schema.js';
import {
  Defined,
  IsDateTimeWithOffset,
  IsListId,
  OptionalTaskId,
  NoNulCharacters,
  Trim,
} from './validators.js';
import { canonicalTimeZone, IsTimeZone, RecurrenceInputDto } from './recurrence.dto.js';

/** Trim and lower-case each tag, then drop duplicates (validation of lengths and count follows). */
const normaliseTags = ({ value }: { value: unknown }) =>
  Array.isArray(value) && value.every((t) => typeof t === 'string')
    ? [...new Set(value.map((t: string) => t.trim().toLowerCase()))]
    : value;

/**
 * The writable fields of a task: `PUT` replaces them (an absent optional field goes back to its
 * default; the parent and the position stay). Any other field is rejected.
 */
export class ReplaceTaskDto {
  /**
   * Trimmed first, then 1–200 characters.
   * @example "Buy groceries"
   */
  @Trim()
  @IsString()
  @NoNulCharacters()
  @Length(1, LIMITS.title)
  title: string;

  /**
   * At most 1000 characters; `null` or absent for none.
   * @example "Milk, eggs, bread"
   */
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(LIMITS.description)
  description?: string | null;

  /**
   * Default `false`.
   * @example false
   */
  @Defined()
  @IsBoolean()
  completed?: boolean;

  /**
   * Default `medium`.
   * @example "high"
   */
  @Defined()
  @IsIn(PRIORITIES)
  priority?: Priority;

  /** ISO 8601 date-time with an offset (`Z` or `±hh:mm`); returned normalised to UTC. `null` for none. */
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-12-01T18:00:00+01:00',
  })
  @IsOptional()
  @IsDateTimeWithOffset()
  due_date?: string | null;

  /**
   * Each trimmed and lower-cased, then 1–32 characters; duplicates dropped; at most 10. Default `[]`.
   * @example ["home", "errand"]
   */
  @ApiPropertyOptional({ maxItems: LIMITS.tags }) // the Swagger plugin reads only literal array sizes
  @Defined()
  @Transform(normaliseTags)
  @IsArray()
  @ArrayMaxSize(LIMITS.tags)
  @IsString({ each: true })
  @NoNulCharacters({ each: true })
  @Length(1, LIMITS.tag, { each: true })
  tags?: string[];

  /**
   * The IANA time zone name (`Europe/Berlin`) a recurring task's occurrences are computed in;
   * `null` or absent: UTC. Anything else is `400`. Stored as the runtime spells it (`europe/berlin`
   * becomes `Europe/Berlin`). A new value restarts the series at `due_date`.
   * @example "Europe/Berlin"
   */
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 64 })
  @IsOptional()
  @Transform(canonicalTimeZone)
  @IsTimeZone()
  time_zone?: string | null;

  /**
   * Makes the task repeat: `{ "rule", "from"? }`; `null` or absent: it does not. Needs a `due_date`
   * (else `400` naming `due_date`): the series starts there (its DTSTART). A new value, a new
   * `due_date` or a new `time_zone` restarts the series at the (new) `due_date`.
   */
  @ApiPropertyOptional({ type: RecurrenceInputDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => RecurrenceInputDto)
  recurrence?: RecurrenceInputDto | null;

  /**
   * The user id of a member of the task's list (any role, you included) the task is assigned to;
   * anyone else is `400` naming this field. `null` or absent: nobody. Cleared by the server when
   * that member leaves or is removed, or when the task moves to a list they are not a member of.
   */
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: LIMITS.userId, example: null })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @Length(1, LIMITS.userId)
  assignee_id?: string | null;
}

/**
 * `POST`: the writable fields, and where the new task goes: under `parent_id` (a subtask; absent or
 * `null`: top level), first among its siblings, or right after sibling `after`.
 */
export class CreateTaskDto extends ReplaceTaskDto {
  /**
   * Create the task as a subtask of this one (one of your top-level tasks: a subtask has no
   * subtasks). Absent or `null`: a top-level task. Changed later only by `move`.
   */
  @OptionalTaskId()
  parent_id?: string | null;

  /**
   * Place the task right after this sibling (a task with the same `parent_id`). Absent or `null`:
   * first among its siblings.
   */
  @OptionalTaskId()
  after?: string | null;

  /**
   * The list to create the task in: one where you are the owner or an editor (a list you are not a
   * member of is `404`, one you only view `403`). Absent or `null`: the parent's list for a subtask,
   * your inbox otherwise. Changed later only by `move`.
   */
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, example: null })
  @IsOptional()
  @IsListId()
  list_id?: string | null;
}
