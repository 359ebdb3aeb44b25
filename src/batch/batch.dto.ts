import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { ProblemException } from '../errors/problem.exception.js';
import { ProblemDto } from '../errors/problem.dto.js';
import { CreateTaskDto } from '../tasks/dto/create-task.dto.js';
import { MoveTaskDto } from '../tasks/dto/move-task.dto.js';
import { SetCompletedDto } from '../tasks/dto/set-completed.dto.js';
import { Task } from '../tasks/dto/task.dto.js';
import { UpdateTaskDto } from '../tasks/dto/update-task.dto.js';
import { Defined } from '../tasks/dto/validators.js';

export const BATCH_OPS = ['create', 'update', 'complete', 'move', 'delete'] as const;
export type BatchOp = (typeof BATCH_OPS)[number];
/** The most commands one batch holds; more is 413. */
export const BATCH_MAX_COMMANDS = 100;
export const TOO_MANY_COMMANDS = `A batch holds at most ${BATCH_MAX_COMMANDS} commands; split it`;

/** One command of a batch: what its single route would do. */
@ApiExtraModels(CreateTaskDto, UpdateTaskDto, SetCompletedDto, MoveTaskDto)
export class BatchCommandDto {
  /**
   * `create` (POST /api/tasks), `update` (PATCH /api/tasks/{id}), `complete` (PATCH …/complete),
   * `move` (POST …/move), `delete` (DELETE /api/tasks/{id}).
   * @example "create"
   */
  @ApiProperty({ enum: BATCH_OPS })
  @IsIn(BATCH_OPS)
  op: BatchOp;

  /**
   * The task (every op but `create`): its id, or the `temp_id` of an earlier `create` in this batch.
   * No example on purpose: a made-up id is 404.
   */
  @Defined()
  @IsString()
  @Length(1, 64)
  task_id?: string;

  /**
   * `create` only: a name of your choice (1–64 characters, not a UUID) for the new task, unique in
   * the batch; later commands may use it as `task_id`, `data.parent_id` or `data.after`, and
   * `temp_id_mapping` gives the id it got.
   * @example "t1"
   */
  @Defined()
  @IsString()
  @Length(1, 64)
  temp_id?: string;

  /** The `If-Match` of the single route (not on `create`), e.g. `"3"`: a stale one is this command's `412`. */
  @Defined()
  @IsString()
  @Length(1, 200)
  if_match?: string;

  /**
   * The single route's body: a create's, a PATCH's, `{ "completed" }` (absent: toggle) or a move's;
   * none for `delete`. Validated with the single route's rules, as this command's `400`. In a
   * create's or a move's `parent_id` and `after`, the `temp_id` of an earlier create stands for its task.
   * A create's and a move's `list_id` are checked against your role there like the single route's
   * (`404` not a member, `403` "Read-only list").
   */
  @ApiPropertyOptional({
    oneOf: [CreateTaskDto, UpdateTaskDto, SetCompletedDto, MoveTaskDto].map((d) => ({
      $ref: getSchemaPath(d),
    })),
  })
  @Defined()
  @IsObject()
  data?: Record<string, unknown>;
}

/** Body of `POST /api/tasks/batch`. */
export class BatchDto {
  /** 1–100 commands, run in order. */
  @ApiProperty({
    type: [BatchCommandDto],
    minItems: 1,
    maxItems: BATCH_MAX_COMMANDS,
    // A whole example, so Swagger's "Try it out" sends a batch that runs (no made-up ids).
    example: [
      { op: 'create', temp_id: 't1', data: { title: 'Buy groceries' } },
      { op: 'create', data: { title: 'Milk', parent_id: 't1' } },
      { op: 'complete', task_id: 't1' },
    ],
  })
  // Too many is 413 before anything else is looked at (a Transform runs before validation).
  @Transform(({ value }: { value: unknown }) => {
    if (Array.isArray(value) && value.length > BATCH_MAX_COMMANDS)
      throw new ProblemException(413, TOO_MANY_COMMANDS);
    return value;
  })
  @IsArray()
  @ArrayMinSize(1, { message: `must hold 1 to ${BATCH_MAX_COMMANDS} commands` })
  @ValidateNested({ each: true })
  @Type(() => BatchCommandDto)
  commands: BatchCommandDto[];
}

/** What one command did. */
export class BatchResultDto {
  /**
   * The status its single route would answer: 201 (created), 200, 204 (deleted), or an error's
   * status (424: it refers to a `temp_id` whose `create` failed).
   * @example 201
   */
  status: number;

  /** The task after the command (not for `delete` or an error). */
  task?: Task;

  /** The problem its single route would answer, when it failed. */
  error?: ProblemDto;
}

/** The answer to a batch: one result per command, in order. */
export class BatchResponseDto {
  /** `results[i]` is what `commands[i]` did. */
  @ApiProperty({ type: [BatchResultDto] })
  results: BatchResultDto[];

  /**
   * The id each `temp_id` of a successful `create` got.
   * @example { "t1": "3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b" }
   */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', format: 'uuid' } })
  temp_id_mapping: Record<string, string>;

  /**
   * The sync token right after the batch's changes (as `GET /api/tasks/changes` would give then):
   * it covers changes other clients committed before the batch too, so adopt it only when you were
   * in sync just before; otherwise keep following your own token.
   */
  sync_token: string;
}
