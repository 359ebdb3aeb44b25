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
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import {
  ApiProblems,
  CREATE_FORBIDDEN,
  MOVE_CONFLICT,
  SYNC_EXPIRED,
} from '../docs/api-problems.decorator.js';
import { ChangesService } from '../sync/changes.service.js';
import { CHANGES_DEFAULT_LIMIT, ChangesDto, ChangesQueryDto } from '../sync/dto/changes.dto.js';
import { EventsQueryDto, ResyncEventDto, TaskDeletedEventDto } from '../events/events.dto.js';
import { EventsService } from '../events/events.service.js';
import { requestIdOf } from '../logging/request-id.js';
import { BatchDto, BatchResponseDto } from './batch/batch.dto.js';
import { BatchService } from './batch/batch.service.js';
import { ClearedTasksDto, ClearTasksQueryDto } from './dto/clear-tasks-query.dto.js';
import { CreateTaskDto, ReplaceTaskDto } from './dto/create-task.dto.js';
import { MoveTaskDto } from './dto/move-task.dto.js';
import { ListTasksQueryDto } from './dto/list-tasks-query.dto.js';
import { SetCompletedDto } from './dto/set-completed.dto.js';
import { TaskStatsDto } from './dto/task-stats.dto.js';
import { Task } from './dto/task.dto.js';
import { UpdateTaskDto } from './dto/update-task.dto.js';
import { etagOf, matchesNoneMatch, parseIfMatch } from './etag.js';
import { idempotencyKeyHeader } from '../idempotency/idempotency-key.js';
import { ParseIdPipe } from './parse-id.pipe.js';
import { TaskProblemsFilter } from './task-problems.filter.js';
import { TasksService } from './tasks.service.js';

const ETAG_HEADER = {
  ETag: { description: 'The task version as a strong tag, e.g. `"3"`', schema: { type: 'string' } },
};
// No examples on the id and the conditional headers: Swagger's "Try it out" would send them, and a
// made-up id is 404, a made-up version 412. A made-up Idempotency-Key would turn a second create into a replay.
const TASK_ID = ApiParam({ name: 'id', description: "The task's id (a UUID; anything else is 400)" });
const IDEMPOTENT_REPLAYED_HEADER = {
  'Idempotent-Replayed': {
    description: '`true` when this is the stored response of an earlier request with the same key',
    schema: { type: 'string', enum: ['true'] },
  },
};
const IF_MATCH_HEADER = {
  name: 'If-Match',
  required: false,
  description:
    'Make the write conditional: `"3"` (the `ETag` you read; strong comparison, so `W/` tags never match) ' +
    'or `*` (any existing task). A stale tag is `412` with the current `ETag`, and nothing changes. ' +
    'Without it the write is last-writer-wins, but atomic.',
};
const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    '1–255 printable ASCII characters, e.g. a UUID per logical create. A retry with the same key and body ' +
    'replays the first response; another body is `422`; a retry while the first is in flight is `409`. ' +
    'Keys are per user and expire after 24 h.',
};

/** The caller's tasks. Every route only ever sees the caller's own tasks: a foreign id is 404. */
@ApiTags('tasks')
@ApiBearerAuth()
@UseFilters(TaskProblemsFilter)
@Controller('api/tasks')
export class TasksController {
  constructor(
    protected readonly tasks: TasksService,
    protected readonly changeFeed: ChangesService,
    protected readonly batches: BatchService,
    protected readonly streams: EventsService,
  ) {}

  /**
   * List tasks
   * @remarks The caller's tasks, filtered, sorted and paged by keyset: follow `Link: <…>; rel="next"`
   * (or pass its `cursor`) for the next page; a page deep in a long list costs what the first does, and
   * tasks created or deleted between pages neither repeat nor skip the others. `X-Total-Count` carries the
   * number of all matching tasks.
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
  @ApiProblems(400, 401, 403, 429, 503)
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
  @ApiProblems(401, 403, 429, 503)
  stats(@CurrentUser() user: AuthUser): Promise<TaskStatsDto> {
    return this.tasks.stats(user.sub);
  }

  /**
   * Changes since a sync token
   * @remarks Incremental sync. Without `since`: a full sync, your live tasks in change order. With
   * `since` (the `sync_token` of your last call): every task changed since, each once in its current
   * state, and `{ id, deleted: true, deleted_at }` for each deleted one, in the order the changes
   * happened. Call again with `since=sync_token` while `has_more`. Gap-free: following tokens from any
   * point sees every change committed after it, also when writers commit out of order, and a deleted
   * task never comes back. A token that is not yours (malformed, edited, another user's) is `400`; one
   * older than SYNC_RETENTION_DAYS (default 30) of kept deletions is `410`: start over without `since`.
   */
  @Get('changes')
  @ApiResponse({ status: 200, type: ChangesDto, description: 'A page of changes' })
  @ApiProblems(400, 401, 403, SYNC_EXPIRED, 429, 503)
  changes(@CurrentUser() user: AuthUser, @Query() query: ChangesQueryDto): Promise<ChangesDto> {
    return this.changeFeed.changes(user.sub, query.since, query.limit ?? CHANGES_DEFAULT_LIMIT);
  }

  /**
   * Live changes (Server-Sent Events)
   * @remarks `text/event-stream` of your changes as they commit, through any instance: `event: task`
   * (data: the task, as `GET /api/tasks/{id}` gives it) or `event: task.deleted` (data: `{ "id" }`), each
   * with `id:` = the sync token right after that change (the newest event's `id` is what
   * `GET /api/tasks/changes` would answer as `sync_token` then). `Last-Event-ID` (what a reconnecting
   * client sends) or `since` resumes: the changes after that token come first (several changes of one
   * task may arrive merged, as in `/changes`), then live ones, with no gap and no repeat between them;
   * without either the stream starts from now, with an `event: ready` whose `id` is that point. A
   * token older than the kept deletions gets one `event: resync` (data: `{ "detail" }`) and the
   * stream ends: sync in full, then stream from that token. A comment line comes at least every 15 s
   * (EVENTS_HEARTBEAT_MS, default 10 s). The stream ends when your bearer token expires and when
   * the instance stops (reconnect with a fresh token and `Last-Event-ID`). At most
   * EVENTS_MAX_STREAMS_PER_USER (default 5) streams per user, on all instances: `429` beyond. EventSource
   * cannot send the `Authorization` header: use a fetch-based client (the typed client's
   * `subscribe()`); a token in the query string is never read.
   */
  @Get('events')
  @ApiProduces('text/event-stream')
  @ApiExtraModels(TaskDeletedEventDto, ResyncEventDto)
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The `id` of the last event you received: resume after it (wins over `since`)',
  })
  @ApiResponse({
    status: 200,
    description:
      'The stream: `event: ready` (data `{}`; only when starting from now), `event: task` with a Task, `event: task.deleted` with a TaskDeletedEventDto, `event: resync` with a ResyncEventDto',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example:
          'retry: 1000\n\nid: s1.2n9c.2n9c.Q2V4aW1wbGUx\nevent: task\ndata: {"id":"3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b","title":"Buy groceries",…}\n\n: keep-alive\n\n',
      },
    },
  })
  @ApiProblems(400, 401, 403, 429, 503)
  async events(
    @CurrentUser() user: AuthUser,
    @Query() query: EventsQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.streams.stream(user, lastEventId || query.since, req, res);
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
   * Run a batch of commands
   * @remarks 1–100 commands (`create`, `update`, `complete`, `move`, `delete`) run in order, each
   * with exactly the rules of its single route: `results[i]` is what `commands[i]` did (its status,
   * the task, or the problem the single route would answer). One failing command does not undo the
   * others. A `create` may carry a `temp_id` that later commands use as `task_id`, `data.parent_id`
   * or `data.after`; `temp_id_mapping` gives the ids. The whole batch commits at once (readers see all
   * of it or none), and `sync_token` is the token right after it. Before anything runs: more than 100
   * commands is `413`; a malformed envelope (not an array, no commands, an unknown `op` or field, a
   * field the op does not use, a `temp_id` used twice or referenced before its create) is `400`. An
   * error that is no command's fault (the database unavailable) undoes the whole batch and answers
   * `503`. With an `Idempotency-Key` a retry replays the first answer whole. Each command counts as a
   * request against your rate limit (`429` before anything runs when the batch does not fit).
   */
  @Post('batch')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiResponse({
    status: 200,
    type: BatchResponseDto,
    description: 'What each command did (or, for a repeated Idempotency-Key, the original answer)',
    headers: {
      ...IDEMPOTENT_REPLAYED_HEADER,
    },
  })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  async batch(
    @CurrentUser() user: AuthUser,
    @Body() dto: BatchDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BatchResponseDto> {
    const { response, replayed } = await this.batches.run(
      user.sub,
      dto,
      { instance: req.originalUrl.split('?')[0], requestId: requestIdOf(req, res) },
      idempotencyKeyHeader(idempotencyKey),
    );
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return response;
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
    withEtag(res, task);
    if (matchesNoneMatch(ifNoneMatch, etagOf(task))) {
      res.status(304);
      return undefined;
    }
    return task;
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
  @ApiProblems(400, 401, 403, 404, 412, 413, 415, 429, 503)
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
   * @remarks Changes only the fields given; `null` clears `description` or `due_date`.
   */
  @Patch(':id')
  @TASK_ID
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({ status: 200, type: Task, description: 'The updated task', headers: ETAG_HEADER })
  @ApiProblems(400, 401, 403, 404, 412, 413, 415, 429, 503)
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
   */
  @Patch(':id/complete')
  @TASK_ID
  @ApiHeader(IF_MATCH_HEADER)
  @ApiBody({ type: SetCompletedDto, required: false })
  @ApiResponse({ status: 200, type: Task, description: 'The updated task', headers: ETAG_HEADER })
  @ApiProblems(400, 401, 403, 404, 412, 413, 415, 429, 503)
  async complete(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: SetCompletedDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Task> {
    return withEtag(res, await this.tasks.setCompleted(user.sub, id, dto.completed, parseIfMatch(ifMatch)));
  }

  /**
   * Move a task
   * @remarks Places the task right after sibling `after` (absent or `null`: first) under `parent_id`
   * (absent: its parent stays; `null`: top level). One atomic write: `version` +1, new `ETag`; with
   * `If-Match`, a stale tag is `412`. Rules (each a `400` naming the field, nothing changed): the
   * parent is one of your top-level tasks and not the task itself; a task with subtasks cannot
   * become a subtask; `after` is a sibling under the target parent. When concurrent moves keep
   * taking the gap it wanted, `409`: nothing changed, retry.
   */
  @Post(':id/move')
  @HttpCode(200)
  @TASK_ID
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({ status: 200, type: Task, description: 'The moved task', headers: ETAG_HEADER })
  @ApiProblems(400, 401, 403, 404, MOVE_CONFLICT, 412, 413, 415, 429, 503)
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
   * @remarks `DELETE /api/tasks?status=completed` deletes every completed task of yours with all
   * their subtasks (pending ones included), in one statement; `deleted` counts every task removed.
   * Any other query (or none) is `400`.
   */
  @Delete()
  @ApiResponse({ status: 200, type: ClearedTasksDto, description: 'How many tasks were deleted' })
  @ApiProblems(400, 401, 403, 429, 503)
  async clear(@CurrentUser() user: AuthUser, @Query() query: ClearTasksQueryDto): Promise<ClearedTasksDto> {
    return { deleted: await this.tasks.clear(user.sub, query.status) };
  }

  /** Delete a task */
  @Delete(':id')
  @TASK_ID
  @HttpCode(204)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 412, 429, 503)
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

function withEtag(res: Response, task: Task): Task {
  res.setHeader('ETag', etagOf(task));
  return task;
}
