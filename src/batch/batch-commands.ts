import type { Type } from '@nestjs/common';
import { isUuid } from '../common/uuid.js';
import { validationPipe } from '../errors/validation.js';
import { CreateTaskDto } from '../tasks/dto/create-task.dto.js';
import { MoveTaskDto } from '../tasks/dto/move-task.dto.js';
import { SetCompletedDto } from '../tasks/dto/set-completed.dto.js';
import { UpdateTaskDto } from '../tasks/dto/update-task.dto.js';
import { parseIfMatch } from '../tasks/etag.js';
import { REFERENCES } from './batch-plan.js';
import type { BatchCommandDto } from './batch.dto.js';

/**
 * One command of a batch, checked as its single route checks its request: the body validated and
 * transformed into that route's DTO, `if_match` read as that route reads `If-Match`. `task_id`,
 * and a create's or a move's `parent_id` and `after`, may still name an earlier create's `temp_id`
 * (BatchService resolves them as the batch runs).
 */
export type BatchCommand =
  | { op: 'create'; temp_id?: string; dto: CreateTaskDto }
  | { op: 'update'; task_id: string; versions?: number[]; dto: UpdateTaskDto }
  | { op: 'complete'; task_id: string; versions?: number[]; completed?: boolean; occurrence?: string | null }
  | { op: 'move'; task_id: string; versions?: number[]; dto: MoveTaskDto }
  | { op: 'delete'; task_id: string; versions?: number[] };

/** A UUID standing in for a `temp_id` while a body is validated: the field's rules see an id there. */
const STAND_IN = '00000000-0000-4000-8000-000000000000';

/**
 * Each command as BatchCommand, or the error its single route would answer for it (a 400 naming the
 * field): a command that fails here does not run. The envelope was checked whole before (checkBatch),
 * so every op but create names its task.
 */
export function parseCommands(commands: BatchCommandDto[]): Promise<(BatchCommand | Error)[]> {
  return Promise.all(commands.map((c) => parseCommand(c).catch((err: unknown) => err as Error)));
}

async function parseCommand(command: BatchCommandDto): Promise<BatchCommand> {
  const data: Record<string, unknown> = { ...command.data };
  if (command.op === 'create' || command.op === 'move') {
    const tempIds = REFERENCES.filter((f) => typeof data[f] === 'string' && !isUuid(data[f]));
    const original = Object.fromEntries(tempIds.map((f) => [f, data[f]]));
    for (const field of tempIds) data[field] = STAND_IN;
    const withTempIds = <T extends object>(dto: T): T => Object.assign(dto, original);
    if (command.op === 'create')
      return { op: 'create', temp_id: command.temp_id, dto: withTempIds(await body(CreateTaskDto, data)) };
    const versions = parseIfMatch(command.if_match);
    return {
      op: 'move',
      task_id: command.task_id!,
      versions,
      dto: withTempIds(await body(MoveTaskDto, data)),
    };
  }
  const task_id = command.task_id!;
  const versions = parseIfMatch(command.if_match);
  switch (command.op) {
    case 'update':
      return { op: 'update', task_id, versions, dto: await body(UpdateTaskDto, data) };
    case 'complete': {
      const { completed, occurrence } = await body(SetCompletedDto, data);
      return { op: 'complete', task_id, versions, completed, occurrence };
    }
    case 'delete':
      return { op: 'delete', task_id, versions };
  }
}

/** `data` validated and transformed exactly as the single route's body (its 400 otherwise). */
const body = <T extends object>(dto: Type<T>, data: Record<string, unknown>): Promise<T> =>
  validationPipe.transform(data, { type: 'body', metatype: dto }) as Promise<T>;
