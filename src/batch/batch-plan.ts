import type { FieldErrorDto } from '../errors/problem.dto.js';
import { ValidationProblem } from '../errors/problem.exception.js';
import { isUuid } from '../common/uuid.js';
import type { BatchCommandDto, BatchOp } from './batch.dto.js';

/** The fields each op may carry besides `op`; `task_id` is required where allowed. */
const FIELDS: Record<BatchOp, readonly (keyof BatchCommandDto)[]> = {
  create: ['temp_id', 'data'],
  update: ['task_id', 'if_match', 'data'],
  complete: ['task_id', 'if_match', 'data'],
  move: ['task_id', 'if_match', 'data'],
  delete: ['task_id', 'if_match'],
};
/** The fields of `data` that name a task, and may name an earlier create's `temp_id`. */
export const REFERENCES = ['parent_id', 'after'] as const;

export const BATCH_MESSAGES = {
  notForOp: (op: string) => `is not used by ${op}`,
  taskIdRequired: 'is required: the task’s id or an earlier create’s temp_id',
  tempIdIsUuid: 'must not be a UUID (it would read as a task id)',
  tempIdTwice: 'is used by an earlier create of this batch',
  unknownReference: 'is neither a task id nor the temp_id of an earlier create of this batch',
};

/**
 * The envelope checks that need the whole batch, before any command runs: each op's fields, each
 * `temp_id` once and not a UUID, and every reference that is not a UUID (`task_id`,
 * `data.parent_id`, `data.after`) the `temp_id` of an earlier create. Field names are
 * `commands.<i>.<field>`, as class-validator names the envelope's other errors. Throws a
 * ValidationProblem with every error found.
 */
export function checkBatch(commands: BatchCommandDto[]): void {
  const errors: FieldErrorDto[] = [];
  const tempIds = new Set<string>();
  commands.forEach((command, i) => {
    const at = (field: string, message: string) => errors.push({ field: `commands.${i}.${field}`, message });
    const allowed = FIELDS[command.op];
    for (const field of ['task_id', 'temp_id', 'if_match', 'data'] as const)
      if (command[field] !== undefined && !allowed.includes(field))
        at(field, BATCH_MESSAGES.notForOp(command.op));
    const reference = (field: string, value: unknown) => {
      if (typeof value === 'string' && !isUuid(value) && !tempIds.has(value))
        at(field, BATCH_MESSAGES.unknownReference);
    };
    if (allowed.includes('task_id')) {
      if (command.task_id === undefined) at('task_id', BATCH_MESSAGES.taskIdRequired);
      else reference('task_id', command.task_id);
    }
    if (command.op === 'create' || command.op === 'move')
      for (const field of REFERENCES) reference(`data.${field}`, command.data?.[field]);
    if (command.temp_id !== undefined && command.op === 'create') {
      if (isUuid(command.temp_id)) at('temp_id', BATCH_MESSAGES.tempIdIsUuid);
      else if (tempIds.has(command.temp_id)) at('temp_id', BATCH_MESSAGES.tempIdTwice);
      tempIds.add(command.temp_id);
    }
  });
  if (errors.length) throw new ValidationProblem(errors);
}
