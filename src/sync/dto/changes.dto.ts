import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { ListDto } from '../../lists/dto/list.dto.js';
import { Task } from '../../tasks/dto/task.dto.js';
import { Defined, QueryInt } from '../../tasks/dto/validators.js';

export const CHANGES_DEFAULT_LIMIT = 500;
export const CHANGES_MAX_LIMIT = 1000;
/**
 * The longest `since` (and `Last-Event-ID`) read: a token holds one position per owner whose lists
 * you can see (about 20 characters each), so this is room for a few hundred of them.
 */
export const SYNC_TOKEN_MAX_LENGTH = 8192;

/** Query of `GET /api/tasks/changes`. No examples: Swagger UI's "Try it out" would send them. */
export class ChangesQueryDto {
  /**
   * The `sync_token` of your last call; absent: a full sync (your live tasks, from the beginning).
   * A made-up token is 400.
   */
  @Defined()
  @IsString()
  @Length(1, SYNC_TOKEN_MAX_LENGTH)
  since?: string;

  /**
   * Changes per page, 1–1000 (default 500): at most this many entries in `changes`, and at most this
   * many in `lists`.
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

/** A list that was deleted, or that you lost access to (removed, left): drop it and every task of it. */
export class DeletedListDto {
  /** @example "7c1e4a52-0b8d-4f3e-9a61-2d5c8e9f0a1b" */
  id: string;

  /** Always `true`. */
  @ApiProperty({ enum: [true] })
  deleted: true;
}

/** A page of changes, in change order, one entry per task and per list. */
@ApiExtraModels(Task, TombstoneDto, ListDto, DeletedListDto)
export class ChangesDto {
  /** Each task's current state, or a tombstone for a deleted one; in the order the changes happened. */
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(Task) }, { $ref: getSchemaPath(TombstoneDto) }] },
  })
  changes: (Task | TombstoneDto)[];

  /**
   * The lists that changed for you: each list's current state as `GET /api/lists/{id}` shows it
   * (a new name, a new member, your role, a list shared with you), or `{ id, deleted: true }` when it
   * was deleted or you lost access to it: drop it and every task of it; nothing more of it follows
   * until you regain access (then it comes back with all its live tasks). Apply `lists` before
   * `changes`. A full sync lists every list you can see.
   */
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(ListDto) }, { $ref: getSchemaPath(DeletedListDto) }] },
  })
  lists: (ListDto | DeletedListDto)[];

  /** Pass it as `since` next time: after this page, or (when `has_more` is false) after every change so far. */
  sync_token: string;

  /** Whether more changes follow right away (call again with `since=sync_token`); exact. */
  has_more: boolean;
}
