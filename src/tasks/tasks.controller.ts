import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import {
  ETAG_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  IF_MATCH_HEADER,
} from '../docs/api-headers.js';
import {
  ApiProblems,
  CREATE_FORBIDDEN,
  MOVE_CONFLICT,
  MOVE_FORBIDDEN,
  SKIP_CONFLICT,
  WRITE_FORBIDDEN,
} from '../docs/api-problems.decorator.js';
import { ClearedTasksDto, ClearTasksQueryDto } from './dto/clear-tasks-query.dto.js';
import { CreateTaskDto, ReplaceTaskDto } from './dto/create-task.dto.js';
import { MoveTaskDto } from './dto/move-task.dto.js';
import {
  CompletionDto,
  CompletionsQueryDto,
  OccurrenceDto,
  OccurrencesQueryDto,
} from './dto/occurrences.dto.js';
import { ListTasksQueryDto } from './dto/list-tasks-query.dto.js';
import { SetCompletedDto } from './dto/set-completed.dto.js';
import { TaskStatsDto, TaskStatsQueryDto } from './dto/task-stats.dto.js';
import { Task } from './dto/task.dto.js';
import { UpdateTaskDto } from './dto/update-task.dto.js';
import { answerGet, parseIfMatch, withEtag } from './etag.js';
import { idempotencyKeyHeader } from '../idempotency/idempotency-key.js';
import { ParseIdPipe } from './parse-id.pipe.js';
import { OwnPathGuard } from './own-path.guard.js';
import { TaskProblemsFilter } from './task-problems.filter.js';
import { TasksService } from './tasks.service.js';

// No example on the id: Swagger's "Try it out" would send it, and a made-up id is 404.
const TASK_ID = ApiParam({ name: 'id', description: "The task's id (a UUID; anything else is 400)" });

/** The caller's tasks. Every route only ever sees the caller's own tasks: a foreign id is 404. */
@ApiTags('tasks')
@ApiBearerAuth()
@UseFilters(TaskProblemsFilter)
@Controller('api/tasks')
export class TasksController {
  constructor(protected readonly tasks: TasksService) {}

  /**
   * List tasks
   * @remarks The caller's tasks, filtered, sorted and paged by keyset: follow `Link: <…>; rel="next"`
   * (or pass its `cursor`) for the next page; a page deep in a long list costs what the first does, and
   * tasks created or deleted between pages neither repeat nor skip the others. `X-Total-Count` carries the
   * number of all matching tasks. `list_id` narrows to one list, `assignee_id` to tasks assigned to
   * you (`me`), to nobody (`none`) or to a member.
   */
  @Get()
  @ApiResponse({
    status: 200,
    type: [Task],
    description: 'A page of tasks',
    headers: {
      'X-Total-Count': { description: 'All matching tasks', schema: { type: 'integer' } },
      Link: {
        description:
          'While more pages remain: `<url of the next page>; rel="next"` (same query, plus `cursor`)',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async list(
    @CurrentUser() user: AuthUser,
    @Query() query: ListTasksQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Task[]> {
    const { items, total, next } = await this.tasks.list(user.sub, query);
    res.setHeader('X-Total-Count', String(total));
    if (next) res.setHeader('Link', `<${nextPageUrl(req, next)}>; rel="next"`);
    return items;
  }

  /**
   * Task counts
   * @remarks `total`, `pending`, `completed`, and `overdue` (not completed, due before now).
   */
  @Get('stats')
  @ApiProblems(400, 401, 403, 404, 429, 503)
  stats(@CurrentUser() user: AuthUser, @Query() query: TaskStatsQueryDto): Promise<TaskStatsDto> {
    return this.tasks.stats(user.sub, query.list_id);
  }

  /**
   * Create a task
   * @remarks Returns the task with `Location` and `ETag`. The task goes first among its siblings, or
   * right after `after`; with `parent_id` it is a subtask of that (top-level) task. A `parent_id` or
   * `after` that is not one of your tasks, or breaks those rules, is `400` naming the field. Unknown
   * fields (including `id`, `user_id`, `version`, `created_at`, `position`) are rejected. With an `Idempotency-Key`, a retry with the same key and
   * body returns the original `201` response (marked `Idempotent-Replayed: true`) and creates nothing.
   */
  @Post()
  @HttpCode(201)
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiResponse({
    status: 201,
    type: Task,
    description: 'Created (or, for a repeated Idempotency-Key, the original response replayed)',
    headers: {
      ...ETAG_HEADER,
      Location: { description: 'URL of the new task', schema: { type: 'string' } },
      ...IDEMPOTENT_REPLAYED_HEADER,
    },
  })
  @ApiProblems(400, 401, CREATE_FORBIDDEN, 409, 413, 415, 422, 429, 503)
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateTaskDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Task> {
    const { task, replayed } = await this.tasks.create(user.sub, dto, idempotencyKeyHeader(idempotencyKey));
    res.setHeader('Location', `${req.path.replace(/\/$/, '')}/${task.id}`);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return withEtag(res, task);
  }

  /**
   * Get a task
   * @remarks Sends `ETag`; with a matching `If-None-Match` the answer is `304` with no body.
   */
  @Get(':id')
  @TASK_ID
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'A previously received `ETag`' })
  @ApiResponse({ status: 200, type: Task, description: 'The task', headers: ETAG_HEADER })
  @ApiProblems(304, 400, 401, 403, 404, 429, 503)
  async get(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Task | undefined> {
    const task = await this.tasks.get(user.sub, id);
    return answerGet(res, ifNoneMatch, task);
  }

  /**
   * Replace a task
   * @remarks Sets every writable field; an absent optional field goes back to its default. The
   * parent and the position stay (`move` changes them).
   */
  @Put(':id')
  @TASK_ID
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({ status: 200, type: Task, description: 'The replaced task', headers: ETAG_HEADER })
  @ApiProblems(400, 401, WRITE_FORBIDDEN, 404, 412, 413, 415, 429, 503)
  async replace(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: ReplaceTaskDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Task> {
    return withEtag(res, await this.tasks.replace(user.sub, id, dto, parseIfMatch(ifMatch)));
  }

  /**
   * Update a task
   * @remarks Changes only the fields given; `null` clears `description`, `due_date` or
   * `assignee_id`. An empty body changes nothing, but is still a write: a viewer's is `403`.
   */
  @Patch(':id')
  @TASK_ID
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({ status: 200, type: Task, description: 'The updated task', headers: ETAG_HEADER })
  @ApiProblems(400, 401, WRITE_FORBIDDEN, 404, 412, 413, 415, 429, 503)
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateTaskDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Task> {
    return withEtag(res, await this.tasks.update(user.sub, id, dto, parseIfMatch(ifMatch)));
  }

  /**
   * Toggle or set completion
   * @remarks Without a body, flips `completed`. With `{"completed": true|false}`, sets it (idempotent).
   * A recurring task is not completed but advanced: the completion of its `due_date` is recorded and
   * `due_date` moves to the next occurrence (its subtasks become not completed again, version +1);
   * when the series has ended, the task is completed for good. With `"occurrence"`, only that
   * occurrence is completed: when `due_date` is no longer that instant, nothing changes.
   */
  @Patch(':id/complete')
  @TASK_ID
  @ApiHeader(IF_MATCH_HEADER)
  @ApiBody({ type: SetCompletedDto, required: false })
  @ApiResponse({ status: 200, type: Task, description: 'The updated task', headers: ETAG_HEADER })
  @ApiProblems(400, 401, WRITE_FORBIDDEN, 404, 412, 413, 415, 429, 503)
  async complete(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: SetCompletedDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Task> {
    return withEtag(
      res,
      await this.tasks.setCompleted(user.sub, id, dto.completed, parseIfMatch(ifMatch), dto.occurrence),
    );
  }

  /**
   * Skip an occurrence
   * @remarks Moves a recurring task to its next occurrence without recording a completion (its
   * subtasks become not completed again; version +1). A task that does not repeat, is completed, or
   * has no next occurrence is `409` and nothing changes.
   */
  @Post(':id/skip')
  @HttpCode(200)
  @TASK_ID
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({
    status: 200,
    type: Task,
    description: 'The task at its next occurrence',
    headers: ETAG_HEADER,
  })
  @ApiProblems(400, 401, WRITE_FORBIDDEN, 404, SKIP_CONFLICT, 412, 429, 503)
  async skip(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Task> {
    return withEtag(res, await this.tasks.skip(user.sub, id, parseIfMatch(ifMatch)));
  }

  /**
   * A task's occurrences
   * @remarks The series' occurrences at or after `from` (default: the task's `due_date`) and before
   * `to` (default and at most 5 years after `from`), at most `limit` (default 100), in the task's
   * `time_zone`. A task that does not repeat has one, its `due_date`; one without a `due_date` none.
   */
  @Get(':id/occurrences')
  @TASK_ID
  @ApiResponse({ status: 200, type: [OccurrenceDto], description: 'The occurrences, soonest first' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async occurrences(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: OccurrencesQueryDto,
  ): Promise<OccurrenceDto[]> {
    const dates = await this.tasks.occurrences(user.sub, id, query);
    return dates.map((d) => ({ due_date: d.toISOString() }));
  }

  /**
   * A task's completions
   * @remarks The occurrences of the task that were completed, newest first, paged by keyset like
   * the listing: follow `Link: <…>; rel="next"`; `X-Total-Count` carries the number of all.
   */
  @Get(':id/completions')
  @TASK_ID
  @ApiResponse({
    status: 200,
    type: [CompletionDto],
    description: 'A page of completions',
    headers: {
      'X-Total-Count': { description: 'All completions of the task', schema: { type: 'integer' } },
      Link: {
        description:
          'While more pages remain: `<url of the next page>; rel="next"` (same query, plus `cursor`)',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async completions(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: CompletionsQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CompletionDto[]> {
    const { items, total, next } = await this.tasks.completions(user.sub, id, query);
    res.setHeader('X-Total-Count', String(total));
    if (next) res.setHeader('Link', `<${nextPageUrl(req, next)}>; rel="next"`);
    return items;
  }

  /**
   * Move a task
   * @remarks Places the task right after sibling `after` (absent or `null`: first) under `parent_id`
   * (absent: its parent stays; `null`: top level). One atomic write: `version` +1, new `ETag`; with
   * `If-Match`, a stale tag is `412`. Rules (each a `400` naming the field, nothing changed): the
   * parent is one of your top-level tasks and not the task itself; a task with subtasks cannot
   * become a subtask; `after` is a sibling under the target parent. When concurrent moves keep
   * taking the gap it wanted, `409`: nothing changed, retry. With `list_id` (another list), the
   * task moves there with all its subtasks, each a change (`version` +1): you must be owner or
   * editor of both lists (a list you are not a member of is `404` like an unknown one, one you view
   * `403`); `parent_id` and `after` name tasks of that list (absent `parent_id`: the top level); a
   * subtask does not move alone (`400` naming `list_id`); an assignee who is not a member there is
   * cleared; into another owner's list the move counts against their task limit (`403` "Task limit
   * reached").
   */
  @Post(':id/move')
  @HttpCode(200)
  @TASK_ID
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({ status: 200, type: Task, description: 'The moved task', headers: ETAG_HEADER })
  @ApiProblems(400, 401, MOVE_FORBIDDEN, 404, MOVE_CONFLICT, 412, 413, 415, 429, 503)
  async move(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: MoveTaskDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Task> {
    return withEtag(res, await this.tasks.move(user.sub, id, dto, parseIfMatch(ifMatch)));
  }

  /**
   * Clear completed
   * @remarks `DELETE /api/tasks?status=completed` deletes every completed task of your inbox (or of
   * the list `list_id`, where you must be the owner or an editor) with all their subtasks (pending
   * ones included), in one statement; `deleted` counts every task removed. Any other query (or none)
   * is `400`.
   */
  @Delete()
  @ApiResponse({ status: 200, type: ClearedTasksDto, description: 'How many tasks were deleted' })
  @ApiProblems(400, 401, WRITE_FORBIDDEN, 404, 429, 503)
  async clear(@CurrentUser() user: AuthUser, @Query() query: ClearTasksQueryDto): Promise<ClearedTasksDto> {
    return { deleted: await this.tasks.clear(user.sub, query.status, query.list_id) };
  }

  /** Delete a task */
  @Delete(':id')
  @TASK_ID
  @HttpCode(204)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, WRITE_FORBIDDEN, 404, 412, 429, 503)
  async remove(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.tasks.remove(user.sub, id, parseIfMatch(ifMatch));
  }
}

/** This request's URL with `cursor` set to the next page's. */
function nextPageUrl(req: Request, cursor: string): string {
  const params = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  params.set('cursor', cursor);
  return `${req.path}?${params.toString()}`;
}

/**
 * The same routes under `/api/{user_id}/tasks…`, the path shape of the FastAPI design this
 * service replaces. `user_id` must be the caller's own id (403 otherwise).
 */
@ApiTags('tasks (user-scoped paths)')
@UseGuards(OwnPathGuard)
@Controller('api/:user_id/tasks')
export class UserTasksController extends TasksController {}
