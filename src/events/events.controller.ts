import { Controller, Get, Headers, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiHeader, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ApiProblems } from '../docs/api-problems.decorator.js';
import { OwnPathGuard } from '../tasks/own-path.guard.js';
import { TaskProblemsFilter } from '../tasks/task-problems.filter.js';
import { ReminderNotification } from '../notifications/notification.dto.js';
import { EventsQueryDto, ResyncEventDto, TaskDeletedEventDto } from './events.dto.js';
import { EventsService } from './events.service.js';
import { expressSink } from './event-sink.js';

/** Live changes of the caller's tasks as Server-Sent Events: `GET /api/tasks/events`. */
@ApiTags('tasks')
@ApiBearerAuth()
@UseFilters(TaskProblemsFilter)
@Controller('api/tasks')
export class EventsController {
  constructor(private readonly streams: EventsService) {}

  /**
   * Live changes (Server-Sent Events)
   * @remarks `text/event-stream` of the changes of every list you can see (by anyone) as they commit,
   * through any instance: `event: task` (data: the task, as `GET /api/tasks/{id}` gives it) or
   * `event: task.deleted` (data: `{ "id" }`), `event: list` (data: the list, as `GET /api/lists/{id}`
   * gives it) or `event: list.deleted` (data: `{ "id" }`: deleted, or you lost access; drop it and its
   * tasks, nothing of it follows), each with `id:` = the sync token right after that change (the newest event's `id` is what
   * `GET /api/tasks/changes` would answer as `sync_token` then). Your reminders arrive as
   * `event: reminder` (data: a ReminderNotification) as they fire, live only: without an `id:`, and
   * not replayed on a reconnect (Web Push and webhooks are the channels that retry). `Last-Event-ID` (what a reconnecting
   * client sends) or `since` resumes: the changes after that token come first (several changes of one
   * task may arrive merged, as in `/changes`), then live ones, with no gap and no repeat between them;
   * without either the stream starts from now, with an `event: ready` whose `id` is that point. A
   * token older than the kept deletions gets one `event: resync` (data: `{ "detail" }`) and the
   * stream ends: sync in full, then stream from that token. A comment line comes at least every 15 s
   * (EVENTS_HEARTBEAT_MS, default 10 s). The stream ends when your bearer token expires, after
   * EVENTS_MAX_STREAM_S (default 3600 s) whatever the token's lifetime, when the Better Auth key that
   * verified the token leaves its JWKS or the JWKS goes stale (JWT_JWKS_MAX_STALE_S), and when the
   * instance stops; its last line is then a comment naming why (`: end token-expired`,
   * `max-duration`, `key-withdrawn`, `keys-stale` or `stopping`). Reconnect with a fresh token and
   * `Last-Event-ID`. At most
   * EVENTS_MAX_STREAMS_PER_USER (default 5) streams per user, on all instances: `429` beyond. EventSource
   * cannot send the `Authorization` header: use a fetch-based client (the typed client's
   * `subscribe()`); a token in the query string is never read.
   */
  @Get('events')
  @ApiProduces('text/event-stream')
  @ApiExtraModels(TaskDeletedEventDto, ResyncEventDto, ReminderNotification)
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The `id` of the last event you received: resume after it (wins over `since`)',
  })
  @ApiResponse({
    status: 200,
    description:
      'The stream: `event: ready` (data `{}`; only when starting from now), `event: task` with a Task, `event: task.deleted` with a TaskDeletedEventDto, `event: list` with a ListDto, `event: list.deleted` with a DeletedListDto, `event: reminder` with a ReminderNotification, `event: resync` with a ResyncEventDto',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example:
          'retry: 1000\n\nid: s2.2n9c.2n9c.q3Xr0ZKx8v1bNwLmT4yHcA\nevent: task\ndata: {"id":"3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b","title":"Buy groceries",…}\n\n: keep-alive\n\n: end token-expired\n\n',
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
    await this.streams.stream(user, lastEventId || query.since, expressSink(req, res));
  }
}

/** The same route under `/api/{user_id}/tasks` (the FastAPI design's path shape; OwnPathGuard). */
@ApiTags('tasks (user-scoped paths)')
@UseGuards(OwnPathGuard)
@Controller('api/:user_id/tasks')
export class UserEventsController extends EventsController {}
