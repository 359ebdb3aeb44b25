import { Controller, Get, Query, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ApiProblems, SYNC_EXPIRED } from '../docs/api-problems.decorator.js';
import { OwnPathGuard } from '../tasks/own-path.guard.js';
import { TaskProblemsFilter } from '../tasks/task-problems.filter.js';
import { ChangesService } from './changes.service.js';
import { CHANGES_DEFAULT_LIMIT, ChangesDto, ChangesQueryDto } from './dto/changes.dto.js';

/** Incremental sync of the caller's tasks: `GET /api/tasks/changes`. */
@ApiTags('tasks')
@ApiBearerAuth()
@UseFilters(TaskProblemsFilter)
@Controller('api/tasks')
export class SyncController {
  constructor(private readonly changeFeed: ChangesService) {}

  /**
   * Changes since a sync token
   * @remarks Incremental sync. Without `since`: a full sync, your live tasks in change order. With
   * `since` (the `sync_token` of your last call): every task changed since, each once in its current
   * state, and `{ id, deleted: true, deleted_at }` for each deleted one, in the order the changes
   * happened. It covers every list you are a member of, whoever changed its tasks; `lists` has each
   * list that changed for you in its current state, or `{ id, deleted: true }` when it was deleted or
   * you lost access (drop it and every task of it; apply `lists` before `changes`); a list you join
   * comes with all its live tasks. Call again with `since=sync_token` while `has_more`. Gap-free: following tokens from any
   * point sees every change committed after it, also when writers commit out of order, and a deleted
   * task never comes back. Tokens are authenticated with a key the server holds: one that is not yours
   * (malformed, edited, another user's, or issued before shared-list sync) is `400`; one older than
   * SYNC_RETENTION_DAYS (default 30) of kept deletions is `410`: either way, start over without `since`.
   */
  @Get('changes')
  @ApiResponse({ status: 200, type: ChangesDto, description: 'A page of changes' })
  @ApiProblems(400, 401, 403, SYNC_EXPIRED, 429, 503)
  changes(@CurrentUser() user: AuthUser, @Query() query: ChangesQueryDto): Promise<ChangesDto> {
    return this.changeFeed.changes(user.sub, query.since, query.limit ?? CHANGES_DEFAULT_LIMIT);
  }
}

/** The same route under `/api/{user_id}/tasks` (the FastAPI design's path shape; OwnPathGuard). */
@ApiTags('tasks (user-scoped paths)')
@UseGuards(OwnPathGuard)
@Controller('api/:user_id/tasks')
export class UserSyncController extends SyncController {}
