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
