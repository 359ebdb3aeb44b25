import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { Task } from '../../tasks/dto/task.dto.js';
import { Defined, QueryInt } from '../../tasks/dto/validators.js';

export const CHANGES_DEFAULT_LIMIT = 500;
export const CHANGES_MAX_LIMIT = 1000;

/** Query of `GET /api/tasks/changes`. No examples: Swagger UI's "Try it out" would send them. */
export class ChangesQueryDto {
  /**
   * The `sync_token` of your last call; absent: a full sync (your live tasks, from the beginning).
   * A made-up token is 400.
   */
  @Defined()
  @IsString()
  @Length(1, 100)
  since?: string;

  /**
   * Changes per page, 1–1000 (default 500).
   */
  @Defined()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(CHANGES_MAX_LIMIT)
  limit?: number;
}

/** A deleted task, in an incremental sync. */
export class TombstoneDto {
  /** @example "3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b" */
  id: string;

  /** Always `true`. */
  @ApiProperty({ enum: [true] })
  deleted: true;

  /** @example "2026-11-26T17:49:08.123Z" */
  @ApiProperty({ format: 'date-time' })
  deleted_at: string;
}

/** A page of changes, in change order, one entry per task. */
@ApiExtraModels(Task, TombstoneDto)
export class ChangesDto {
  /** Each task's current state, or a tombstone for a deleted one; in the order the changes happened. */
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(Task) }, { $ref: getSchemaPath(TombstoneDto) }] },
  })
  changes: (Task | TombstoneDto)[];

  /** Pass it as `since` next time: after this page, or (when `has_more` is false) after every change so far. */
  sync_token: string;

  /** Whether more changes follow right away (call again with `since=sync_token`); exact. */
  has_more: boolean;
}
