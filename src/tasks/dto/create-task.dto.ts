import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { LIMITS, PRIORITIES, type Priority } from '../task.schema.js';
import { Defined, IsDateTimeWithOffset, NoNulCharacters, Trim } from './validators.js';

/** Trim and lower-case each tag, then drop duplicates (validation of lengths and count follows). */
const normaliseTags = ({ value }: { value: unknown }) =>
  Array.isArray(value) && value.every((t) => typeof t === 'string')
    ? [...new Set(value.map((t: string) => t.trim().toLowerCase()))]
    : value;

/**
 * The writable fields of a task. `POST` creates with them; `PUT` replaces with them (an absent
 * optional field goes back to its default). Any other field is rejected.
 */
export class CreateTaskDto {
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
}
