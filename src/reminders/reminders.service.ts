import { Injectable } from '@nestjs/common';
import { parseDateTime } from '../tasks/dto/validators.js';
import { TaskNotFoundError } from '../tasks/task.errors.js';
import type { CreateReminderDto } from './dto/create-reminder.dto.js';
import type { ReminderDto } from './dto/reminder.dto.js';
import {
  ReminderLimitReachedError,
  ReminderNeedsDueDateError,
  ReminderNotFoundError,
} from './reminder.errors.js';
import { REMINDER_LIMITS } from './reminder.schema.js';
import { RemindersRepository, type ReminderKind, type ReminderRow } from './reminders.repository.js';

/**
 * The rules of a user's reminders (contract: "Reminders and notifications"): private to the user
 * who sets them, only on tasks they can see (else 404 like the task itself), at most
 * REMINDER_LIMITS.perTaskAndUser per task. Firing is ReminderFiring's.
 */
@Injectable()
export class RemindersService {
  constructor(private readonly repo: RemindersRepository) {}

  async create(userId: string, taskId: string, dto: CreateReminderDto): Promise<ReminderDto> {
    // The DTO let exactly one kind through, `at` as a valid date-time.
    const kind: ReminderKind =
      dto.before_minutes !== undefined
        ? { before_minutes: dto.before_minutes }
        : { at: parseDateTime(dto.at!)! };
    const limit = REMINDER_LIMITS.perTaskAndUser;
    const result = await this.repo.create(userId, taskId, kind, limit);
    switch (result.status) {
      case 'no_task':
        throw new TaskNotFoundError();
      case 'no_due_date':
        throw new ReminderNeedsDueDateError();
      case 'limit':
        throw new ReminderLimitReachedError(limit);
      case 'created':
        return toDto(result.reminder);
    }
  }

  async list(userId: string, taskId: string): Promise<ReminderDto[]> {
    const rows = await this.repo.list(userId, taskId);
    if (!rows) throw new TaskNotFoundError();
    return rows.map(toDto);
  }

  /** The caller's reminders on tasks `taskIds` (which they can see), oldest first. */
  ofTasks(userId: string, taskIds: string[]): Promise<ReminderRow[]> {
    return taskIds.length ? this.repo.ofTasks(userId, taskIds) : Promise.resolve([]);
  }

  /**
   * Makes the caller's reminders on a task exactly `wanted` (CalDAV: a PUT's VALARMs), with
   * `create`'s rules: more than the limit is ReminderLimitReachedError and changes nothing; a relative
   * one on a task without a due date is ReminderNeedsDueDateError. Joins the caller's transaction.
   */
  async replace(userId: string, taskId: string, wanted: ReminderKind[]): Promise<void> {
    const limit = REMINDER_LIMITS.perTaskAndUser;
    const status = await this.repo.replace(userId, taskId, wanted, limit);
    if (status === 'no_task') throw new TaskNotFoundError();
    if (status === 'no_due_date') throw new ReminderNeedsDueDateError();
    if (status === 'limit') throw new ReminderLimitReachedError(limit);
  }

  /** Takes the lock of the caller's reminders on a task until their transaction ends (no write of them meanwhile). */
  lock(userId: string, taskId: string): Promise<void> {
    return this.repo.lock(userId, taskId);
  }

  async remove(userId: string, taskId: string, reminderId: string): Promise<void> {
    const { visible, deleted } = await this.repo.delete(userId, taskId, reminderId);
    if (!visible) throw new TaskNotFoundError();
    if (!deleted) throw new ReminderNotFoundError();
  }
}

/** A reminder as the API answers it: `before_minutes` or `at`, whichever it is. */
function toDto(row: ReminderRow): ReminderDto {
  const kind = row.before_minutes !== null ? { before_minutes: row.before_minutes } : { at: row.at! };
  return { id: row.id, task_id: row.task_id, ...kind, next_fire_at: row.next_fire_at };
}
