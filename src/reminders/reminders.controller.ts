import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import {
  ApiProblems,
  limitReachedDoc,
  notFoundDoc,
  type ProblemDoc,
} from '../docs/api-problems.decorator.js';
import { OwnPathGuard } from '../tasks/own-path.guard.js';
import { ParseIdPipe } from '../tasks/parse-id.pipe.js';
import { TaskNotFoundError } from '../tasks/task.errors.js';
import { CreateReminderDto } from './dto/create-reminder.dto.js';
import { ReminderDto } from './dto/reminder.dto.js';
import { ReminderProblemsFilter } from './reminder-problems.js';
import {
  ReminderLimitReachedError,
  ReminderNeedsDueDateError,
  ReminderNotFoundError,
} from './reminder.errors.js';
import { REMINDER_LIMITS } from './reminder.schema.js';
import { ParseReminderIdPipe } from './parse-reminder-id.pipe.js';
import { RemindersService } from './reminders.service.js';

// No example on the ids: Swagger's "Try it out" would send them, and a made-up id is 404.
const TASK_ID = ApiParam({ name: 'id', description: "The task's id (a UUID; anything else is 400)" });
const REMINDER_ID = ApiParam({
  name: 'reminder_id',
  description: "The reminder's id (a UUID; anything else is 400)",
});

/** POST: a relative reminder on a task without a due date, besides the usual 400s. */
const CREATE_INVALID: ProblemDoc = {
  status: 400,
  description:
    'Invalid input: neither or both of `before_minutes` and `at`, `before_minutes` outside 0–40320, `at` not a date-time with an offset, unknown fields; or `before_minutes` on a task without a `due_date` (`errors[]` names `due_date`)',
  detail: `Validation failed: ${ReminderNeedsDueDateError.field}`,
};
const TASK_NOT_FOUND = notFoundDoc(
  TaskNotFoundError,
  'No such task for this caller (unknown, or in a list you are not a member of)',
);
const LIMIT_REACHED = limitReachedDoc(
  ReminderLimitReachedError,
  REMINDER_LIMITS.perTaskAndUser,
  `you have ${REMINDER_LIMITS.perTaskAndUser} reminders on this task already and nothing was created (or, under \`/api/{user_id}/tasks\`, the \`user_id\` in the path is not the caller)`,
);
const REMINDER_NOT_FOUND = notFoundDoc(
  ReminderNotFoundError,
  'No such task for this caller, or no such reminder of yours on it',
);

/**
 * Your reminders on a task (contract: "Reminders and notifications"). They are yours alone, also on
 * a shared list's tasks: nobody else sees them. A task you cannot see is 404 on every route.
 */
@ApiTags('reminders')
@ApiBearerAuth()
@UseFilters(ReminderProblemsFilter)
@Controller('api/tasks')
export class RemindersController {
  constructor(private readonly reminders: RemindersService) {}

  /**
   * Set a reminder
   * @remarks `{ "before_minutes": 0–40320 }` before the task's `due_date` (it follows the due date
   * when that moves, and fires for every occurrence of a recurring task), or `{ "at": "<date-time>" }`.
   * Exactly one of them. At most 10 per task for you (`403` "Reminder limit reached" beyond).
   * Completing or deleting the task, or leaving its list, cancels what has not fired yet. Each
   * occurrence fires once: a notification `{ id, type: "reminder", reminder_id, occurrence,
   * fire_at, task }` into your outbox (docs/reminders.md).
   */
  @Post(':id/reminders')
  @HttpCode(201)
  @TASK_ID
  // Whole bodies as examples: a sample built from every property would send both kinds (a 400).
  @ApiBody({
    type: CreateReminderDto,
    examples: {
      absolute: { summary: 'At a given time', value: { at: '2027-03-01T08:30:00+01:00' } },
      relative: { summary: '15 minutes before the due date', value: { before_minutes: 15 } },
    },
  })
  @ApiResponse({ status: 201, type: ReminderDto, description: 'Created' })
  @ApiProblems(CREATE_INVALID, 401, LIMIT_REACHED, TASK_NOT_FOUND, 413, 415, 429, 503)
  create(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CreateReminderDto,
  ): Promise<ReminderDto> {
    return this.reminders.create(user.sub, id, dto);
  }

  /**
   * Your reminders on a task
   * @remarks Oldest first; only yours, whoever else has reminders on it.
   */
  @Get(':id/reminders')
  @TASK_ID
  @ApiResponse({ status: 200, type: [ReminderDto], description: 'Your reminders on this task' })
  @ApiProblems(400, 401, 403, TASK_NOT_FOUND, 429, 503)
  list(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ReminderDto[]> {
    return this.reminders.list(user.sub, id);
  }

  /**
   * Delete a reminder
   * @remarks One of yours on this task; what it had not fired yet never fires.
   */
  @Delete(':id/reminders/:reminder_id')
  @HttpCode(204)
  @TASK_ID
  @REMINDER_ID
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, 403, REMINDER_NOT_FOUND, 429, 503)
  async remove(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('reminder_id', ParseReminderIdPipe) reminderId: string,
  ): Promise<void> {
    await this.reminders.remove(user.sub, id, reminderId);
  }
}

/** The same routes under `/api/{user_id}/tasks` (the FastAPI design's path shape; OwnPathGuard). */
@ApiTags('tasks (user-scoped paths)')
@UseGuards(OwnPathGuard)
@Controller('api/:user_id/tasks')
export class UserRemindersController extends RemindersController {}
